@role:backoffice @role:service-provider
Feature: What makes a new journey, cancellations, visits, same-stop trips (JRN-03..06)

  Background:
    Given a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "dv-ns" at "Deventer"
    And an NS train pole "zl-ns" at "Zwolle"
    And a KEO train pole "zl-keo" at "Zwolle"
    And a KEO train pole "dv-keo" at "Deventer"
    And an ARR train pole "zl-arr" at "Zwolle"
    And an ARR train pole "gn-arr" at "Groningen"
    And a QBZ tram on-board reader "q-ut" at "Utrecht Centraal" in vehicle "tram-60"
    And a QBZ tram on-board reader "q-usp" at "Utrecht Science Park" in vehicle "tram-60"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam-2" at "Dam" in vehicle "tram-2107"
    And a GVB tram on-board reader "t-leid" at "Leidseplein" in vehicle "tram-2107"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  @JRN-03
  Scenario: From train to tram is a new journey, even within 35 minutes
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 09:55:00 | q-ut   |
      | 2024-06-12 10:10:00 | q-usp  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs      |
      | 1       | asd>ut    |
      | 2       | ut>uithof |

  @JRN-03 @FARE-03
  Scenario: From a GVB tram to an EBS bus is a transfer without a new base fare
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 09:20:00 | t-dam    |
      | 2024-06-12 09:26:00 | t-asd    |
      | 2024-06-12 09:40:00 | ebs-asd  |
      | 2024-06-12 10:05:00 | ebs-purm |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                  |
      | 1       | dam>asd, asd>purm-tp  |

  @JRN-03
  Scenario: NS to Keolis at Zwolle continues the journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | dv-ns  |
      | 2024-06-12 09:25:00 | zl-ns  |
      | 2024-06-12 09:35:00 | zl-keo |
      | 2024-06-12 10:05:00 | dv-keo |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs          |
      | 1       | dv>zl, zl>dv  |

  @JRN-03
  Scenario: Keolis to Arriva at Zwolle is a rail operator pair that starts a new journey
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | dv-keo |
      | 2024-06-12 09:25:00 | zl-keo |
      | 2024-06-12 09:35:00 | zl-arr |
      | 2024-06-12 10:35:00 | gn-arr |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs  |
      | 1       | dv>zl |
      | 2       | zl>gn |

  @JRN-04 @FARE-06
  Scenario: Checked in at 8:54 by mistake: check out, check in after 8:55, travel off-peak
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 08:54:00 | asd    |
      | 2024-06-12 08:55:30 | asd    |
      | 2024-06-12 08:56:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                | fare  | category |
      | 1       | asd>asd (cancelled) | €0.00 | peak     |
      | 2       | asd>ut              | €8.56 | off-peak |

  @JRN-04
  Scenario: Check-out at the same station exactly 35:00 after check-in still cancels
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | dv-ns  |
      | 2024-06-12 10:35:00 | dv-ns  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs              | fare  |
      | 1       | dv>dv (cancelled) | €0.00 |

  @JRN-04 @JRN-05
  Scenario: 35:01 at a station without gates is no cancellation: the minimum fare is due
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | dv-ns  |
      | 2024-06-12 10:35:01 | dv-ns  |
    And it is 2024-06-13 04:00
    Then leg 1 of journey 1 of card "V" is completed
    And journey 1 of card "V" costs €2.60

  @JRN-05
  Scenario Outline: A visit to a gated station is free up to 60 minutes
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | <out>               | asd    |
    And it is 2024-06-13 04:00
    Then leg 1 of journey 1 of card "V" is <status>
    And journey 1 of card "V" costs <fare>

    Examples:
      | out                 | status        | fare  |
      | 2024-06-12 10:35:01 | station-visit | €0.00 |
      | 2024-06-12 11:00:00 | station-visit | €0.00 |
      | 2024-06-12 11:00:01 | completed     | €2.60 |

  @JRN-06
  Scenario: In and out of a tram at the same stop costs the base fare
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-dam  |
      | 2024-06-12 10:02:00 | t-dam  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs    | fare  |
      | 1       | dam>dam | €1.08 |

  @JRN-06 @FARE-03
  Scenario: Continuing in another vehicle within 35 minutes charges no second base fare
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | t-dam   |
      | 2024-06-12 10:02:00 | t-dam   |
      | 2024-06-12 10:10:00 | t-dam-2 |
      | 2024-06-12 10:16:00 | t-leid  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                   | fare  |
      | 1       | dam>dam, dam>leidsepl  | €1.38 |
