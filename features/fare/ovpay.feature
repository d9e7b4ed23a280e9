@role:backoffice @role:service-provider
Feature: OVpay travels at full fare, second class (FARE-09)
  A bank card carries no products, no birth date and no class setting: the back office prices
  its journeys at the full second-class fare, without product or age discount, and ignores a
  first-class setting.

  NS Amsterdam C. → Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56 (Dal Voordeel off-peak on an
  OV-chipkaart: €8.56 × 0.6 = €5.136 → €5.14; first class × 1.7 = €14.552 → €14.55).
  GVB tram Amsterdam C. → Amsterdam Zuid 6.6 km: €1.08 + 6.6 × €0.19 = €1.08 + €1.254 → €1.25 =
  €2.33; a child's personal card: €0.71 + €1.25 × 0.66 = €0.71 + €0.825 → €0.83 = €1.54.

  Background:
    Given it is 2024-06-01 05:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-asdz" at "Amsterdam Zuid" in vehicle "tram-2041"

  @FARE-09
  Scenario: A bank card pays the full fare where a subscription holder gets a discount
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
    And card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:40:00 | asd    |
      | 2024-06-12 11:10:00 | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs   | fare  | category | product |
      | 1       | asd>ut | €8.56 | off-peak | -       |
    And journey 1 of card "V" has a discount of 0 %
    And the journeys of card "P" are:
      | journey | legs   | fare  | category | product      |
      | 1       | asd>ut | €5.14 | off-peak | dal-voordeel |

  @FARE-09
  Scenario: A bank card gets no age discount: a child pays less with a personal card
    Given a personal card "C" of a traveller born on 2016-02-01
    And card "C" has a balance of €10.00
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:20:00 | t-asdz |
    And card "C" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:30:00 | t-asd  |
      | 2024-06-12 10:50:00 | t-asdz |
    And it is 2024-06-13 04:00
    Then journey 1 of card "V" costs €2.33
    And journey 1 of card "V" has a discount of 0 %
    And journey 1 of card "C" costs €1.54
    And journey 1 of card "C" has a discount of 34 %

  @FARE-09 @JRN-08
  Scenario: A first-class setting does not make a bank-card journey first class
    Given card "V" is set to first-class for the next journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
    And it is 2024-06-13 04:00
    Then journey 1 of card "V" costs €8.56
