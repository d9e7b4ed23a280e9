@role:backoffice @role:service-provider
Feature: Integer cents, one rounding rule, never above the maximum (FARE-11)
  Fares are integer cents. Km fares round half up per band or leg; percentage discounts and the
  first-class factor round half away from zero (interpretation `rounding = "half-up"`). A fare
  is never above the journey's maximum: the rail maximum (×1.7 in first class) or, for bus,
  tram and metro, the maximum of the first leg's service.

  Background:
    Given it is 2024-06-01 05:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "gn" at "Groningen"
    And an NS train pole "shl" at "Schiphol Airport"
    And an NS train pole "ledn" at "Leiden Centraal"
    And an NS train pole "aml" at "Almelo"
    And an NS train pole "hgl" at "Hengelo"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-asdz" at "Amsterdam Zuid" in vehicle "tram-2041"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  # NS Schiphol Airport → Leiden Centraal 28.5 km: 28.5 × €0.21 = €5.985 → €5.99 (half up);
  # + €1.00 = €6.99.
  @FARE-11 @FARE-04
  Scenario: A rail km fare ending in half a cent rounds up
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | shl    |
      | 2024-06-12 10:25:00 | ledn   |
    And it is 2024-06-13 04:00
    Then journey 1 of card "V" costs €6.99

  # GVB tram Amsterdam C. → Amsterdam Zuid 6.6 km: 6.6 × €0.19 = €1.254 → €1.25. A child of 8
  # gets 34 % off: €1.25 × 0.66 = €0.825 → €0.83 (half away from zero; "round half to even"
  # would give €0.82), plus the reduced base fare €0.71 (FARE-02 row 2024) = €1.54.
  @FARE-11 @CARD-06
  Scenario: A 34 % discount ending in half a cent rounds away from zero
    Given a personal card "C" of a traveller born on 2016-02-01
    And card "C" has a balance of €10.00
    When card "C" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:20:00 | t-asdz |
    And it is 2024-06-13 04:00
    Then journey 1 of card "C" costs €1.54
    And journey 1 of card "C" has a discount of 34 %

  # NS Almelo → Hengelo 15 km: €1.00 + 15 × €0.21 = €4.15; first class × 1.7 = €7.055 → €7.06.
  @FARE-11 @JRN-08
  Scenario: The first-class factor on an amount ending in 5 cents rounds away from zero
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And card "A" is set to first-class for the next journey
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | aml    |
      | 2024-06-12 10:15:00 | hgl    |
    And it is 2024-06-13 04:00
    Then journey 1 of card "A" costs €7.06
    And journey 1 of card "A" travels with setting first-class

  # Amsterdam C. → Groningen 216 km: €30.36 → €30.00 second class; first class: the maximum
  # scaled too, €30.00 × 1.7 = €51.00.
  @FARE-11 @FARE-04 @JRN-08
  Scenario: In first class the fare and the maximum are both scaled
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And card "A" is set to first-class for the next journey
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 12:20:00 | gn     |
    And it is 2024-06-13 04:00
    Then journey 1 of card "A" costs €51.00
    And journey 1 of card "A" has a maximum of €51.00

  # GVB tram Dam → Amsterdam C. €1.08 + €0.17 = €1.25, then EBS to Purmerend (fixed €4.50: part
  # €3.42), back (fixed €4.30: part €3.22) and out again (€3.42): €1.25 + €3.42 + €3.22 + €3.42 =
  # €11.31, above the GVB tram maximum €10.00 that the first leg sets: €10.00.
  # Shares by undiscounted leg price (125, 342, 322, 342 of 1131): 110.52, 302.39, 284.70,
  # 302.39 → 110, 302, 284, 302 (998) + the two cents left to the largest remainders (leg 3,
  # then leg 1): GVB €1.11, EBS €3.02 + €2.85 + €3.02 = €8.89.
  @FARE-11 @FARE-01
  Scenario: A bus/tram/metro journey never costs more than its maximum
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 10:00:00 | t-dam    |
      | 2024-06-12 10:06:00 | t-asd    |
      | 2024-06-12 10:15:00 | ebs-asd  |
      | 2024-06-12 10:45:00 | ebs-purm |
      | 2024-06-12 11:00:00 | ebs-purm |
      | 2024-06-12 11:30:00 | ebs-asd  |
      | 2024-06-12 11:45:00 | ebs-asd  |
      | 2024-06-12 12:15:00 | ebs-purm |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                                               | fare   |
      | 1       | dam>asd, asd>purm-tp, purm-tp>asd, asd>purm-tp     | €10.00 |
    And journey 1 of card "V" has a maximum of €10.00
    And journey 1 of card "V" credits "GVB" with €1.11
    And journey 1 of card "V" credits "EBS" with €8.89
