@role:backoffice
Feature: The travel day runs from 00:00 until 03:05 the next day (EMV-07)
  A journey belongs to the travel day of its first check-in. Check-outs until 03:05 the next
  day still close that day's journeys; a journey still open at 03:05 is closed as a missing
  check-out. Local Amsterdam time on the clock (interpretation travel-day-boundary =
  wall-clock): on the spring DST night (2024-03-31, 02:00 → 03:00) the travel day ends at
  03:05 CEST, on the autumn night (2024-10-27, 03:00 → 02:00) at 03:05 CET, after the hour
  02:00–03:00 has passed twice. Times with an offset name one instant of that repeated hour.

  Background:
    Given it is 2024-03-30 08:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @EMV-07 @role:service-provider
  Scenario: Check-in at 23:50, check-out at 00:20: the journey belongs to the day before
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 23:50:00 | asd    |
      | 2024-06-13 00:20:00 | ut     |
    And it is 2024-06-14 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-out
    # Amsterdam Centraal–Utrecht Centraal 36 km: €1.00 + 36 × €0.21 = €8.56
    And the journeys of card "V" are:
      | journey | legs   | fare  | day        |
      | 1       | asd>ut | €8.56 | 2024-06-12 |
    When operator "NS" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    When operator "NS" asks for its report of 2024-06-13
    Then the report lists 0 transactions, 0 trips and 0 payments

  @EMV-07
  Scenario: A check-in at 03:04:59 belongs to the day before and is closed as missing at 03:05
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-13 03:04:59 | t-asd  |
      | 2024-06-13 03:10:00 | t-dam  |
    And it is 2024-06-14 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-in
    And the journeys of card "V" are:
      | journey | legs  | day        |
      | 1       | asd>? | 2024-06-12 |
      | 2       | dam>? | 2024-06-13 |
    And leg 1 of journey 1 of card "V" is missing-check-out

  @EMV-07
  Scenario: A check-in at 03:05:00 belongs to the new day
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-13 03:05:00 | t-asd  |
      | 2024-06-13 03:10:00 | t-dam  |
    And it is 2024-06-14 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-out
    # GVB tram Amsterdam Centraal–Dam 0.9 km: €1.08 + 0.9 × €0.19 (→ €0.17) = €1.25
    And the journeys of card "V" are:
      | journey | legs    | fare  | day        |
      | 1       | asd>dam | €1.25 | 2024-06-13 |

  @EMV-07
  Scenario: A journey still open at 03:05 is closed as a missing check-out
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 23:30:00 | asd    |
    And it is 2024-06-13 03:04:59
    Then card "V" has 1 open leg
    And card "V" made 0 journeys
    When it is 2024-06-13 03:05:00
    Then card "V" has 0 open legs
    And card "V" made 1 journey
    And leg 1 of journey 1 of card "V" is missing-check-out
    And journey 1 of card "V" belongs to travel day 2024-06-12

  @EMV-07
  Scenario: A tap after 03:05 cannot check out a leg of the day before
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-13 02:50:00 | asd    |
      | 2024-06-13 03:20:00 | ut     |
    And it is 2024-06-14 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-in
    And the journeys of card "V" are:
      | journey | legs  | day        |
      | 1       | asd>? | 2024-06-12 |
      | 2       | ut>?  | 2024-06-13 |

  @EMV-07
  Scenario Outline: Spring night 2024-03-31: the day ends at 03:05 CEST, 2 h 05 after midnight
    When bank card "V" taps at these readers:
      | at    | reader |
      | <in>  | t-asd  |
      | <out> | t-dam  |
    And it is 2024-04-01 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs    | fare  | day   |
      | 1       | asd>dam | €1.25 | <day> |

    Examples:
      | in                  | out                 | day        |
      | 2024-03-31 01:50:00 | 2024-03-31 03:04:59 | 2024-03-30 |
      | 2024-03-31 03:05:00 | 2024-03-31 03:20:00 | 2024-03-31 |

  @EMV-07 @role:service-provider
  Scenario: Spring night 2024-03-31: the report of the day before is there at 03:05 CEST
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-03-30 23:50:00 | t-asd  |
      | 2024-03-31 01:55:00 | t-dam  |
    And it is 2024-03-31 03:04:59
    And operator "GVB" asks for its report of 2024-03-30
    Then the report is refused because the travel day is still running
    When it is 2024-03-31 03:05:00
    And operator "GVB" asks for its report of 2024-03-30
    Then the report lists 2 transactions, 1 trip and 1 payment

  @EMV-07
  Scenario: Autumn night 2024-10-27: 02:50 CEST in, 02:10 CET out is a 20-minute ride of the day before
    When bank card "V" taps at these readers:
      | at                        | reader |
      | 2024-10-27T02:50:00+02:00 | t-asd  |
      | 2024-10-27T02:10:00+01:00 | t-dam  |
    And it is 2024-10-28 04:00
    Then the back office qualified the taps of card "V" as: tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs    | fare  | day        |
      | 1       | asd>dam | €1.25 | 2024-10-26 |

  @EMV-07
  Scenario Outline: Autumn night 2024-10-27: the day ends at 03:05 CET, 4 h 05 after midnight
    When bank card "V" taps at these readers:
      | at   | reader |
      | <in> | t-asd  |
    And it is 2024-10-28 04:00
    Then journey 1 of card "V" belongs to travel day <day>

    Examples:
      | in                        | day        |
      | 2024-10-27T02:30:00+02:00 | 2024-10-26 |
      | 2024-10-27T02:30:00+01:00 | 2024-10-26 |
      | 2024-10-27T03:04:59+01:00 | 2024-10-26 |
      | 2024-10-27T03:05:00+01:00 | 2024-10-27 |
