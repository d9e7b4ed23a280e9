@role:backoffice @role:service-provider
Feature: Missing check-outs, special settings, two journeys at once (JRN-07, JRN-08, JRN-09)
  JRN-07: without a check-out the boarding fee (deposit) stays charged and the leg is closed as
  a missing check-out at the end of the travel day (03:05) or at the next check-in at another
  operator; free-travel subscription holders are not charged.
  JRN-08: a special setting (first class, group discount) put on the card before travel applies
  to the next journey and stays for its transfers within 35 minutes, not for the journey after.
  Settings need an OV-chipkaart: OVpay has no first class (FARE-09).
  JRN-09: with a bank card the back office keeps one open leg per transport class, so a rail
  check-in left open while a tram journey is made stays one uninterrupted rail journey; an
  OV-chipkaart holds one check-in, so the tram reader closes the rail check-in (TAP-04).

  Fares (rule set nl-2024), by hand:
    NS boarding fee €20.00 (TAP-01), kept on a missing check-out
    NS Amsterdam C. → Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56
    NS Amsterdam C. → Amersfoort C. 47 km (via Hilversum): €1.00 + 40 × €0.21 + 7 × €0.18 = €10.66
    NS Amsterdam C. → Utrecht C. → Amersfoort C. 58 km: €1.00 + €8.40 + 18 × €0.18 = €12.64
    NS Amersfoort C. → Utrecht C. 22 km: €1.00 + 22 × €0.21 = €5.62
    KEO Deventer → Zwolle 38 km: €1.00 + 38 × €0.21 = €8.98
    first class × 1.7 (FARE-11 half away from zero): €12.64 → €21.488 → €21.49
    group discount 40 %: €8.56 × 0.6 = €5.136 → €5.14
    QBZ tram Utrecht C. → Utrecht Science Park, Uithoflijn 22: €1.08 + 7.5 × €0.23 = €1.08 + €1.725
      → €1.73 (half up) = €2.81
    GVB tram Amsterdam C. → Dam 0.9 km: €1.08 + 0.9 × €0.19 = €1.08 + €0.171 → €0.17 = €1.25

  Background:
    Given it is 2024-06-12 07:00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"
    And a KEO train pole "dv-keo" at "Deventer"
    And a KEO train pole "zl-keo" at "Zwolle"
    And a QBZ tram on-board reader "q-ut" at "Utrecht Centraal" in vehicle "tram-60"
    And a QBZ tram on-board reader "q-usp" at "Utrecht Science Park" in vehicle "tram-60"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  # JRN-07 -----------------------------------------------------------------------------------

  @JRN-07
  Scenario Outline: A check-in without check-out is closed as missing when the travel day ends at 03:05
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 22:00:00 | asd    |
    And it is <now>
    Then card "V" has <open> open leg
    And card "V" made <journeys> journey

    Examples:
      | now                 | open | journeys |
      | 2024-06-13 03:04:59 | 1    | 0        |
      | 2024-06-13 03:05:00 | 0    | 1        |

  @JRN-07
  Scenario: The missing check-out keeps the NS boarding fee of €20.00
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 22:00:00 | asd    |
    And it is 2024-06-13 03:05
    Then the journeys of card "V" are:
      | journey | legs  | fare   | day        |
      | 1       | asd>? | €20.00 | 2024-06-12 |
    And leg 1 of journey 1 of card "V" is missing-check-out
    And journey 1 of card "V" credits "NS" with €20.00

  @JRN-07 @EMV-07
  Scenario: A check-out after midnight but before 03:05 still closes the journey
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 23:40:00 | asd    |
      | 2024-06-13 00:15:00 | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs   | fare  | day        |
      | 1       | asd>ut | €8.56 | 2024-06-12 |
    And leg 1 of journey 1 of card "V" is completed

  @JRN-07 @EMV-07
  Scenario: A bank-card tap the next morning is a new check-in, not the check-out of yesterday
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 22:00:00 | asd    |
      | 2024-06-13 08:00:00 | ut     |
    And it is 2024-06-13 09:00
    Then the journeys of card "V" are:
      | journey | legs  | fare   | day        |
      | 1       | asd>? | €20.00 | 2024-06-12 |
    And card "V" has 1 open leg

  @JRN-07 @TAP-04
  Scenario: OV-chipkaart: a check-in at another operator closes the open check-in at once
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | t-asd  |
      | 2024-06-12 10:36:00 | t-dam  |
    And it is 2024-06-12 11:00
    Then the journeys of card "A" are:
      | journey | legs    | fare   |
      | 1       | asd>?   | €20.00 |
      | 2       | asd>dam | €1.25  |
    And leg 1 of journey 1 of card "A" is missing-check-out
    # €50.00 − €20.00 deposit kept − €1.25 tram fare
    And card "A" has a balance of €28.75

  @JRN-07
  Scenario: Bank card: a check-in at another rail operator closes the open rail check-in
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 12:00:00 | dv-keo |
      | 2024-06-12 12:30:00 | zl-keo |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs  | fare   |
      | 1       | asd>? | €20.00 |
      | 2       | dv>zl | €8.98  |
    And journey 2 of card "V" credits "KEO" with €8.98

  @JRN-07
  Scenario: An OV-chipkaart without check-out keeps the deposit on the card
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
    And it is 2024-06-13 04:00
    Then journey 1 of card "A" costs €20.00
    And leg 1 of journey 1 of card "A" is missing-check-out
    And card "A" has a balance of €30.00

  @JRN-07
  Scenario: An Altijd Vrij holder who forgets to check out is not charged
    Given a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "altijd-vrij"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 08:00:00 | asd    |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs  | fare  | product     |
      | 1       | asd>? | €0.00 | altijd-vrij |
    And leg 1 of journey 1 of card "P" is missing-check-out
    And journey 1 of card "P" credits "NS" with €0.00
    And card "P" has a balance of €30.00

  # JRN-08 -----------------------------------------------------------------------------------

  @JRN-08
  Scenario: First class set before travel holds for the transfer, not for the journey after
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And card "A" is set to first-class for the next journey
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
      | 2024-06-12 10:50:00 | ut     |
      | 2024-06-12 11:10:00 | amf    |
      | 2024-06-12 12:00:00 | amf    |
      | 2024-06-12 12:20:00 | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "A" are:
      | journey | legs           | fare   |
      | 1       | asd>ut, ut>amf | €21.49 |
      | 2       | amf>ut         | €5.62  |
    And journey 1 of card "A" travels with setting first-class
    And journey 2 of card "A" travels with setting none

  @JRN-08
  Scenario: Group discount set before travel applies to the next journey only
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And card "A" is set to group-discount for the next journey
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
      | 2024-06-12 14:00:00 | ut     |
      | 2024-06-12 14:30:00 | asd    |
    And it is 2024-06-13 04:00
    Then the journeys of card "A" are:
      | journey | legs   | fare  |
      | 1       | asd>ut | €5.14 |
      | 2       | ut>asd | €8.56 |
    And journey 1 of card "A" travels with setting group-discount
    And journey 2 of card "A" travels with setting none

  @JRN-08
  Scenario: A setting made during a journey waits for the next journey
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    When card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
    And card "A" is set to first-class for the next journey
    And card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:50:00 | ut     |
      | 2024-06-12 11:10:00 | amf    |
      | 2024-06-12 12:00:00 | amf    |
      | 2024-06-12 12:20:00 | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "A" are:
      | journey | legs           | fare   |
      | 1       | asd>ut, ut>amf | €12.64 |
      | 2       | amf>ut         | €9.55  |
    And journey 1 of card "A" travels with setting none
    And journey 2 of card "A" travels with setting first-class

  # JRN-09 -----------------------------------------------------------------------------------

  @JRN-09
  Scenario: Bank card: a rail journey left open during a tram journey stays one rail journey
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:40:00 | q-ut   |
      | 2024-06-12 09:55:00 | q-usp  |
      | 2024-06-12 11:00:00 | amf    |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs      | fare   |
      | 1       | asd>amf   | €10.66 |
      | 2       | ut>uithof | €2.81  |
    And leg 1 of journey 1 of card "V" is completed
    And the back office qualified the taps of card "V" as: tap-in,tap-in,tap-out,tap-out

  @JRN-09
  Scenario: Bank card: while the rail leg is open, the tram taps do not close it
    Given a bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:40:00 | q-ut   |
      | 2024-06-12 09:55:00 | q-usp  |
    And it is 2024-06-12 10:00
    Then card "V" has 1 open leg
    And the journeys of card "V" are:
      | journey | legs      | fare  |
      | 1       | ut>uithof | €2.81 |

  @JRN-09 @TAP-04 @role:reader
  Scenario: OV-chipkaart: the tram reader closes the rail check-in, so there is no rail journey to resume
    Given an anonymous card "A"
    And card "A" is loaded with €5.00 at an NS machine
    And card "A" has a balance of €45.00
    And it is 2024-06-12 09:00
    And card "A" is checked in at "asd"
    When 40 minutes pass
    And card "A" taps at "q-ut"
    Then the reader checks the card in
    And the reader first closed the open check-in as a missing check-out
    When 15 minutes pass
    And card "A" taps at "q-usp"
    Then the reader checks the card out
    When 65 minutes pass
    And card "A" taps at "amf"
    Then the reader checks the card in
    When it is 2024-06-13 04:00
    Then the journeys of card "A" are:
      | journey | legs      | fare   |
      | 1       | asd>?     | €20.00 |
      | 2       | ut>uithof | €2.81  |
      | 3       | amf>?     | €20.00 |
