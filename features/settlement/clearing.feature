@role:backoffice @role:service-provider
Feature: Settlement and clearing per travel day (SET-01, SET-02, SET-03)
  After a travel day the back office credits every operator for the trips made with it (its
  shares of the journeys' fares, GBO-02). Conservation: what travellers were charged, less
  refunds and open debt, equals what the operators are credited, to the cent. Settling a day
  again credits nobody twice: it repeats the first statement.

  Background:
    Given it is 2024-06-12 06:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a bank card "V"
    And an NS train pole "dv-ns" at "Deventer"
    And an NS train pole "zl-ns" at "Zwolle"
    And a KEO train pole "zl-keo" at "Zwolle"
    And a KEO train pole "aml-keo" at "Almelo"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  @SET-01 @SET-02
  Scenario: Four operators are credited their trips of the day, and the day balances to the cent
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 07:00:00 | dv-ns    |
      | 2024-06-12 07:25:00 | zl-ns    |
      | 2024-06-12 07:35:00 | zl-keo   |
      | 2024-06-12 08:10:00 | aml-keo  |
      | 2024-06-12 12:00:00 | t-dam    |
      | 2024-06-12 12:06:00 | t-asd    |
      | 2024-06-12 12:20:00 | ebs-asd  |
      | 2024-06-12 12:45:00 | ebs-purm |
    And card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 14:00:00 | t-asd  |
      | 2024-06-12 14:06:00 | t-dam  |
      | 2024-06-12 20:00:00 | t-dam  |
    And it is 2024-06-13 04:00
    And travel day 2024-06-12 is settled
    # V, rail Deventer–Zwolle (NS, 38 km) + Zwolle–Almelo (KEO, 50 km) = 88 km:
    #   €1.00 + 8.40 + 7.20 + 1.12 = €17.72 → NS €7.65, KEO €10.07 (by distance)
    # V, GVB tram Dam–Amsterdam Centraal €1.25 + EBS fixed fare €4.50 − base €1.08 = €3.42:
    #   €4.67 → GVB €1.25, EBS €3.42
    # A, GVB tram Amsterdam Centraal–Dam €1.25; then a check-in without check-out: the GVB
    #   boarding fee €4.00 stays charged (JRN-07)
    # GVB: €1.25 + €1.25 + €4.00 = €6.50 for 3 trips
    Then operator "NS" is credited €7.65 for 1 trip
    And operator "KEO" is credited €10.07 for 1 trip
    And operator "GVB" is credited €6.50 for 3 trips
    And operator "EBS" is credited €3.42 for 1 trip
    And operator "HTM" is credited €0.00
    # Charged: OV-chipkaart €1.25 + €4.00 = €5.25; OVpay €17.72 + €4.67 = €22.39;
    # €5.25 + €22.39 = €27.64 = €7.65 + €10.07 + €6.50 + €3.42
    And travellers were charged €5.25 on OV-chipkaart and €22.39 by OVpay
    And the operators are credited €27.64 in total
    And the settlement balances to the cent
    # what the card lost matches what the statement says it was charged: €20.00 − €5.25
    And card "A" has a balance of €14.75

  @SET-01 @SET-02
  Scenario: Each travel day is settled on its own; a ride after midnight counts for the day before
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 23:50:00 | t-asd    |
      | 2024-06-13 00:05:00 | t-dam    |
      | 2024-06-13 08:00:00 | ebs-purm |
      | 2024-06-13 08:40:00 | ebs-asd  |
    And it is 2024-06-14 03:04:59
    Then settling travel day 2024-06-13 is refused because the travel day is still running
    When it is 2024-06-14 03:05:00
    And travel day 2024-06-12 is settled
    # GVB tram Amsterdam Centraal–Dam, 23:50–00:05: travel day 2024-06-12, €1.25
    Then operator "GVB" is credited €1.25 for 1 trip
    And operator "EBS" is credited €0.00
    And travellers were charged €0.00 on OV-chipkaart and €1.25 by OVpay
    And the settlement balances to the cent
    When travel day 2024-06-13 is settled
    # EBS Purmerend→Amsterdam Centraal: the fixed fare of that direction, €4.30
    Then operator "EBS" is credited €4.30 for 1 trip
    And operator "GVB" is credited €0.00
    And travellers were charged €0.00 on OV-chipkaart and €4.30 by OVpay
    And the settlement balances to the cent

  @SET-03
  Scenario: Settling a day twice credits nobody twice
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 07:00:00 | dv-ns   |
      | 2024-06-12 07:25:00 | zl-ns   |
      | 2024-06-12 07:35:00 | zl-keo  |
      | 2024-06-12 08:10:00 | aml-keo |
    And it is 2024-06-13 04:00
    And travel day 2024-06-12 is settled
    Then operator "NS" is credited €7.65
    And operator "KEO" is credited €10.07
    When travel day 2024-06-12 is settled again
    Then the second run settled nothing new and repeats the first statement
    And operator "NS" is credited €7.65
    And operator "KEO" is credited €10.07
    And travellers were charged €0.00 on OV-chipkaart and €17.72 by OVpay

  @SET-03
  Scenario: A later run, after the next day's travel, still repeats the first statement
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 12:00:00 | t-dam  |
      | 2024-06-12 12:06:00 | t-asd  |
    And it is 2024-06-13 04:00
    And travel day 2024-06-12 is settled
    And bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-13 12:00:00 | t-asd  |
      | 2024-06-13 12:06:00 | t-dam  |
    And it is 2024-06-14 04:00
    And travel day 2024-06-12 is settled again
    Then the second run settled nothing new and repeats the first statement
    And operator "GVB" is credited €1.25 for 1 trip
