@role:backoffice @role:service-provider
Feature: A journey across operators is cut into partial trips, one per operator (GBO-02)
  The back office cuts a journey that uses several operators into synthetic partial trips,
  one per operator, so that each operator is credited its part of the fare. The parts add up
  to the journey's fare, to the cent: rail by each leg's distance, bus/tram/metro by each
  leg's price; a cent left over by rounding goes to the largest remainder.

  Background:
    Given it is 2024-06-12 06:00
    And a bank card "V"
    And an NS train pole "dv-ns" at "Deventer"
    And an NS train pole "zl-ns" at "Zwolle"
    And a KEO train pole "zl-keo" at "Zwolle"
    And a KEO train pole "aml-keo" at "Almelo"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  @GBO-02 @FARE-04
  Scenario: A rail journey NS then Keolis: each operator gets its share of the degressive fare
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 09:00:00 | dv-ns   |
      | 2024-06-12 09:25:00 | zl-ns   |
      | 2024-06-12 09:35:00 | zl-keo  |
      | 2024-06-12 10:10:00 | aml-keo |
    And it is 2024-06-13 04:00
    # Deventer–Zwolle (NS) 38 km + Zwolle–Almelo (KEO) 50 km = 88 km, one journey:
    # €1.00 + 40 × €0.21 + 40 × €0.18 + 8 × €0.14 = 1.00 + 8.40 + 7.20 + 1.12 = €17.72
    # Shares by distance: NS 1772 × 38/88 = 765.18, KEO 1772 × 50/88 = 1006.82 → 765 + 1006,
    # the cent left goes to the larger remainder (KEO): NS €7.65 + KEO €10.07 = €17.72
    Then the journeys of card "V" are:
      | journey | legs          | fare   |
      | 1       | dv>zl, zl>aml | €17.72 |
    And journey 1 of card "V" credits "NS" with €7.65
    And journey 1 of card "V" credits "KEO" with €10.07
    When operator "NS" asks for its report of 2024-06-12
    Then the report's trips are:
      | from | to | status    | fare  |
      | dv   | zl | completed | €7.65 |
    And the report's total is €7.65
    When operator "KEO" asks for its report of 2024-06-12
    Then the report's trips are:
      | from | to  | status    | fare   |
      | zl   | aml | completed | €10.07 |
    And the report's total is €10.07

  @GBO-02 @FARE-01 @FARE-03
  Scenario: A GVB tram then an EBS bus: one base fare, each operator credited its leg
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 09:20:00 | t-dam    |
      | 2024-06-12 09:26:00 | t-asd    |
      | 2024-06-12 09:40:00 | ebs-asd  |
      | 2024-06-12 10:05:00 | ebs-purm |
    And it is 2024-06-13 04:00
    # GVB tram Dam–Amsterdam Centraal 0.9 km: base fare €1.08 + 0.9 × €0.19 (→ €0.17) = €1.25
    # EBS Amsterdam Centraal→Purmerend has a fixed route fare of €4.50 that includes a base
    # fare; on a transfer the base fare is not charged again: €4.50 − €1.08 = €3.42
    # Journey €1.25 + €3.42 = €4.67; shares by leg price: GVB €1.25, EBS €3.42
    Then the journeys of card "V" are:
      | journey | legs                 | fare  |
      | 1       | dam>asd, asd>purm-tp | €4.67 |
    And journey 1 of card "V" credits "GVB" with €1.25
    And journey 1 of card "V" credits "EBS" with €3.42
    When operator "GVB" asks for its report of 2024-06-12
    Then the report's trips are:
      | from | to  | status    | fare  |
      | dam  | asd | completed | €1.25 |
    When operator "EBS" asks for its report of 2024-06-12
    Then the report's trips are:
      | from | to      | status    | fare  |
      | asd  | purm-tp | completed | €3.42 |

  @GBO-02
  Scenario: An OV-chipkaart's rail journey NS then Keolis is cut the same way
    Given an anonymous card "A"
    And card "A" is loaded with €40.00 at an NS machine
    When card "A" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 09:00:00 | dv-ns   |
      | 2024-06-12 09:25:00 | zl-ns   |
      | 2024-06-12 09:35:00 | zl-keo  |
      | 2024-06-12 10:10:00 | aml-keo |
    And it is 2024-06-13 04:00
    # As above: 88 km = €17.72, NS €7.65 (38 km), KEO €10.07 (50 km)
    Then journey 1 of card "A" costs €17.72
    And journey 1 of card "A" credits "NS" with €7.65
    And journey 1 of card "A" credits "KEO" with €10.07
    When travel day 2024-06-12 is settled
    Then operator "NS" is credited €7.65
    And operator "KEO" is credited €10.07
    And travellers were charged €17.72 on OV-chipkaart and €0.00 by OVpay
