@role:reader @role:service-provider
Feature: Anti-passback and duplicate taps (TAP-03)
  A second tap of the same card at the same reader within the operator's window is not taken
  as a check-out or check-in: the reader shows "already checked in/out". At NS a check-out at
  a different pole is accepted at once, and the same card is never processed twice within
  15 s at the same pole or gate. Interpretation (anti-passback-at-gates = false): a gate opens
  once per tap, so at gates only the 15 s duplicate window applies.

  Background:
    Given it is 2024-06-12 10:00:00
    And an anonymous card "A"
    And card "A" is loaded with €30.00 at an NS machine
    And an NS train pole "P1" at "Amsterdam Centraal"
    And an NS train pole "P2" at "Amsterdam Centraal"
    And an NS train gate "G1" at "Amsterdam Centraal"

  @TAP-03
  Scenario: NS pole: 99 s after check-in the same pole refuses, at 100 s it checks out
    Given card "A" is checked in at "P1"
    When 99 seconds pass
    And card "A" taps at "P1"
    Then the reader refuses: already-checked-in
    And the reader shows "U bent al ingecheckt"
    And card "A" is checked in
    When 1 second passes
    And card "A" taps at "P1"
    Then the reader checks the card out

  @TAP-03
  Scenario: NS: a different pole checks out at once
    Given card "A" is checked in at "P1"
    When 5 seconds pass
    And card "A" taps at "P2"
    Then the reader checks the card out
    And card "A" is not checked in

  @TAP-03
  Scenario: NS pole: after a check-out the same pole shows "already checked out"
    Given card "A" is checked in at "P1"
    And card "A" taps at "P2"
    When 99 seconds pass
    And card "A" taps at "P2"
    Then the reader refuses: already-checked-out
    And the reader shows "U bent al uitgecheckt"
    And card "A" is not checked in

  @TAP-03
  Scenario: NS gate: within 15 s the same gate refuses, at 15 s it takes the tap
    Given card "A" is checked in at "G1"
    When 14 seconds pass
    And card "A" taps at "G1"
    Then the reader refuses: already-checked-in
    When 1 second passes
    And card "A" taps at "G1"
    Then the reader checks the card out

  @TAP-03
  Scenario Outline: Bus/tram/metro windows per operator
    Given a <operator> <mode> on-board reader "R" at "<stop>" in vehicle "v-1"
    And card "A" is checked in at "R"
    When <just_inside> seconds pass
    And card "A" taps at "R"
    Then the reader refuses: already-checked-in
    When 1 second passes
    And card "A" taps at "R"
    Then the reader checks the card out

    Examples:
      | operator | mode  | stop                 | just_inside |
      | GVB      | tram  | Dam                  | 29          |
      | RET      | metro | Beurs                | 59          |
      | HTM      | tram  | Spui                 | 9           |
      | QBZ      | bus   | Utrecht Science Park | 19          |

  @TAP-03
  Scenario: An operator with a 0 s window takes a second tap at once
    Given an EBS bus on-board reader "R" at "Purmerend, Tramplein" in vehicle "bus-7"
    And card "A" is checked in at "R"
    When card "A" taps at "R"
    Then the reader checks the card out
