@role:backoffice @role:service-provider
Feature: Peak and off-peak, decided by the first check-in (FARE-05, FARE-06)
  FARE-05: weekday peaks are 06:30–09:00 and 16:00–18:30; weekends and public holidays are
  off-peak all day. The first check-in of a journey decides its time category for the whole
  journey, also when a transfer is made after the peak has ended (NS since 2016).
  FARE-06: a check-in from 08:55 counts as off-peak: five minutes early. The seed states the
  grace generally ("Het kan ook vijf minuten eerder"); nl-2024 applies it before the end of
  both peak windows (off_peak_grace_min = 5), so 18:25 counts as off-peak too.

  NS Amsterdam C. → Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56; with Dal Voordeel off-peak
  (40 %): €8.56 × 0.6 = €5.136 → €5.14; with Dal Vrij off-peak: free.

  Background:
    Given it is 2024-05-01 05:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"

  @FARE-05
  Scenario Outline: Weekday peak windows, weekends and public holidays
    When bank card "V" taps at these readers:
      | at    | reader |
      | <in>  | asd    |
      | <out> | ut     |
    And it is 2024-12-31 04:00
    Then journey 1 of card "V" is <category>

    Examples:
      | in                  | out                 | day                      | category |
      | 2024-06-12 06:29:59 | 2024-06-12 07:00:00 | Wednesday                | off-peak |
      | 2024-06-12 06:30:00 | 2024-06-12 07:00:00 | Wednesday                | peak     |
      | 2024-06-12 12:00:00 | 2024-06-12 12:30:00 | Wednesday                | off-peak |
      | 2024-06-12 15:59:59 | 2024-06-12 16:30:00 | Wednesday                | off-peak |
      | 2024-06-12 16:00:00 | 2024-06-12 16:30:00 | Wednesday                | peak     |
      | 2024-06-12 18:30:00 | 2024-06-12 19:00:00 | Wednesday                | off-peak |
      | 2024-06-15 08:00:00 | 2024-06-15 08:30:00 | Saturday                 | off-peak |
      | 2024-06-16 17:00:00 | 2024-06-16 17:30:00 | Sunday                   | off-peak |
      | 2024-12-24 08:00:00 | 2024-12-24 08:30:00 | Tuesday                  | peak     |
      | 2024-12-25 08:00:00 | 2024-12-25 08:30:00 | Wednesday, 1e Kerstdag   | off-peak |
      | 2024-05-09 17:00:00 | 2024-05-09 17:30:00 | Thursday, Hemelvaartsdag | off-peak |

  @FARE-06
  Scenario Outline: Five minutes of grace before a peak window ends
    When bank card "V" taps at these readers:
      | at    | reader |
      | <in>  | asd    |
      | <out> | ut     |
    And it is 2024-06-13 04:00
    Then journey 1 of card "V" is <category>

    Examples:
      | in                  | out                 | category |
      | 2024-06-12 08:54:59 | 2024-06-12 09:30:00 | peak     |
      | 2024-06-12 08:55:00 | 2024-06-12 09:30:00 | off-peak |
      | 2024-06-12 18:24:59 | 2024-06-12 19:00:00 | peak     |
      | 2024-06-12 18:25:00 | 2024-06-12 19:00:00 | off-peak |

  @FARE-06 @FARE-07
  Scenario Outline: Dal Vrij: 08:54:59 pays the full fare, 08:55:00 travels free
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-vrij"
    When card "P" taps at these readers:
      | at    | reader |
      | <in>  | asd    |
      | <out> | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs   | fare   | category   | product  |
      | 1       | asd>ut | <fare> | <category> | dal-vrij |

    Examples:
      | in                  | out                 | category | fare  |
      | 2024-06-12 08:54:59 | 2024-06-12 09:30:00 | peak     | €8.56 |
      | 2024-06-12 08:55:00 | 2024-06-12 09:30:00 | off-peak | €0.00 |

  # Amsterdam C. → Utrecht C. → Amersfoort C. 58 km: €1.00 + €8.40 + 18 × €0.18 = €12.64.
  # Checked in at 08:30 (peak): the transfer at 09:10 stays peak, so Dal Voordeel gives nothing.
  @FARE-05 @FARE-07
  Scenario: A peak first check-in holds for the whole journey, also after a later off-peak transfer
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 08:30:00 | asd    |
      | 2024-06-12 09:00:00 | ut     |
      | 2024-06-12 09:10:00 | ut     |
      | 2024-06-12 09:30:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs           | fare   | category | product      |
      | 1       | asd>ut, ut>amf | €12.64 | peak     | dal-voordeel |
    And journey 1 of card "P" has a discount of 0 %

  # Interrupting for more than 35 minutes makes the rest a new, off-peak journey (seed 003:
  # "tenzij de onderbreking meer dan 35 minuten duurt"): €8.56 peak, then Utrecht C. →
  # Amersfoort C. 22 km €1.00 + 22 × €0.21 = €5.62 × 0.6 = €3.372 → €3.37.
  @FARE-05 @FARE-07
  Scenario: After an interruption of more than 35 minutes the next journey is off-peak
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 08:30:00 | asd    |
      | 2024-06-12 09:00:00 | ut     |
      | 2024-06-12 09:35:01 | ut     |
      | 2024-06-12 09:55:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs   | fare  | category |
      | 1       | asd>ut | €8.56 | peak     |
      | 2       | ut>amf | €3.37 | off-peak |
