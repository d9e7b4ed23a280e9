@role:backoffice @role:service-provider
Feature: Journeys and transfers (JRN-01, JRN-02)
  A journey starts at check-in and ends 35 minutes after check-out: a check-in within 35
  minutes after a check-out continues it (for rail only at the same station). Six hours after
  the journey's first check-in no transfer is possible. Boundaries: a check-in 35:00 after the
  check-out continues, 35:01 does not; a check-in exactly 6 h after the first check-in still
  continues, one second later does not.

  Background:
    Given a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"
    And an NS train pole "hvs" at "Hilversum"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-leid" at "Leidseplein" in vehicle "tram-2107"
    And a GVB tram on-board reader "t-mus" at "Museumplein" in vehicle "tram-2107"

  @JRN-01
  Scenario: Rail: a check-in at the check-out station 35:00 later continues the journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 10:25:00 | ut     |
      | 2024-06-12 10:45:00 | amf    |
    And it is 2024-06-13 04:00
    Then card "V" made 1 journey
    And the journeys of card "V" are:
      | journey | legs           |
      | 1       | asd>ut, ut>amf |

  @JRN-01
  Scenario: Rail: 35:01 after the check-out the check-in starts a new journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 10:25:01 | ut     |
      | 2024-06-12 10:45:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs   |
      | 1       | asd>ut |
      | 2       | ut>amf |

  @JRN-01
  Scenario: Rail: a check-in at another station within 35 minutes is a new journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 10:05:00 | hvs    |
      | 2024-06-12 10:30:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs    |
      | 1       | asd>ut  |
      | 2       | hvs>amf |

  @JRN-01 @FARE-04
  Scenario: A detour Utrecht–Amersfoort via Hilversum through the gates is one journey over the longer route
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | ut     |
      | 2024-06-12 10:20:00 | hvs    |
      | 2024-06-12 10:30:00 | hvs    |
      | 2024-06-12 10:50:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs            |
      | 1       | ut>hvs, hvs>amf |

  @JRN-01
  Scenario: Bus/tram/metro: a transfer may be at another stop
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | t-asd  |
      | 2024-06-12 09:26:00 | t-dam  |
      | 2024-06-12 09:40:00 | t-leid |
      | 2024-06-12 09:45:00 | t-mus  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                        |
      | 1       | asd>dam, leidsepl>museumpl  |

  @JRN-02
  Scenario: Check-in at 9:23: transfers are possible until 15:23 (seed example)
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:23:00 | t-asd  |
      | 2024-06-12 11:20:00 | t-dam  |
      | 2024-06-12 11:50:00 | t-dam  |
      | 2024-06-12 13:40:00 | t-leid |
      | 2024-06-12 14:10:00 | t-leid |
      | 2024-06-12 14:50:00 | t-mus  |
      | 2024-06-12 15:23:00 | t-mus  |
      | 2024-06-12 15:40:00 | t-leid |
    And it is 2024-06-13 04:00
    Then card "V" made 1 journey
    And the journeys of card "V" are:
      | journey | legs                                                      |
      | 1       | asd>dam, dam>leidsepl, leidsepl>museumpl, museumpl>leidsepl |

  @JRN-02
  Scenario: One second after the six hours the check-in starts a new journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:23:00 | t-asd  |
      | 2024-06-12 11:20:00 | t-dam  |
      | 2024-06-12 11:50:00 | t-dam  |
      | 2024-06-12 13:40:00 | t-leid |
      | 2024-06-12 14:10:00 | t-leid |
      | 2024-06-12 14:50:00 | t-mus  |
      | 2024-06-12 15:23:01 | t-mus  |
      | 2024-06-12 15:40:00 | t-leid |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                                     |
      | 1       | asd>dam, dam>leidsepl, leidsepl>museumpl |
      | 2       | museumpl>leidsepl                        |
