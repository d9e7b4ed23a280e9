@role:backoffice
Feature: The back office reconstructs journeys and fares of both card types (GBO-01)
  The back office registers every check-in and check-out, of OV-chipkaarten and bank cards
  alike, rebuilds the journeys from them and computes each journey's fare. The reader's
  verdict (check-in, check-out) comes with an OV-chipkaart's taps; a bank card's taps are
  qualified by the back office (EMV-06). Either way the same trip costs the same.

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @GBO-01
  Scenario: The same tram ride with an OV-chipkaart and with a bank card is registered and priced alike
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | t-asd  |
      | 2024-06-12 09:26:00 | t-dam  |
    And bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:20:00 | t-asd  |
      | 2024-06-12 10:26:00 | t-dam  |
    And it is 2024-06-13 04:00
    Then the back office has received 4 taps
    And the back office qualified the taps of card "A" as: tap-in,tap-out
    And the back office qualified the taps of card "V" as: tap-in,tap-out
    # GVB tram Amsterdam Centraal–Dam 0.9 km: base fare 2024 €1.08 + 0.9 × €0.19 (€0.171 → €0.17)
    # = €1.25
    And the journeys of card "A" are:
      | journey | legs    | fare  | day        |
      | 1       | asd>dam | €1.25 | 2024-06-12 |
    And the journeys of card "V" are:
      | journey | legs    | fare  | day        |
      | 1       | asd>dam | €1.25 | 2024-06-12 |

  @GBO-01
  Scenario: A rail journey with a transfer is rebuilt from four taps, for both card types
    Given card "A" is loaded with €20.00 at an NS machine
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 10:10:00 | ut     |
      | 2024-06-12 10:30:00 | amf    |
    And bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 11:20:00 | asd    |
      | 2024-06-12 11:50:00 | ut     |
      | 2024-06-12 12:10:00 | ut     |
      | 2024-06-12 12:30:00 | amf    |
    And it is 2024-06-13 04:00
    Then the back office has received 8 taps
    # One rail journey Amsterdam Centraal–Utrecht Centraal (36 km) + Utrecht–Amersfoort (22 km)
    # = 58 km: €1.00 + 40 × €0.21 + 18 × €0.18 = 1.00 + 8.40 + 3.24 = €12.64
    And the journeys of card "A" are:
      | journey | legs           | fare   |
      | 1       | asd>ut, ut>amf | €12.64 |
    And the journeys of card "V" are:
      | journey | legs           | fare   |
      | 1       | asd>ut, ut>amf | €12.64 |

  @GBO-01 @JRN-07
  Scenario: A check-in without a check-out is closed at the end of the travel day and keeps the boarding fee
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 20:00:00 | t-asd  |
    And it is 2024-06-13 03:04:59
    Then card "A" has 1 open leg
    And card "A" made 0 journeys
    When it is 2024-06-13 03:05
    Then card "A" has 0 open legs
    And leg 1 of journey 1 of card "A" is missing-check-out
    # JRN-07: the GVB tram boarding fee (€4.00) the reader kept as deposit stays charged
    And journey 1 of card "A" costs €4.00
