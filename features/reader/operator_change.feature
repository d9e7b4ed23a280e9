@role:reader @role:service-provider
Feature: One operator's reader per tap (TAP-04)
  A tap is always at one operator's reader. A check-in at operator A followed by a tap at
  operator B's reader is a check-in at B after an implicit missing check-out at A: the
  traveller should have checked out ("omchecken"), so A's deposit stays charged.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" is loaded with €50.00 at an NS machine
    And an NS train pole "ns" at "Amsterdam Centraal"
    And a GVB tram on-board reader "gvb" at "Amsterdam Centraal" in vehicle "tram-2041"

  @TAP-04
  Scenario: Tapping at another operator closes the open check-in as missing, then checks in
    Given card "A" is checked in at "ns"
    When 10 minutes pass
    And card "A" taps at "gvb"
    Then the reader checks the card in
    And the reader first closed the open check-in as a missing check-out
    And card "A" has a balance of €26.00
    And the log of card "A" shows, oldest first: load,check-in,missing-check-out,check-in
    And the back office holds these taps in order:
      | reader | card | kind     |
      | ns     | A    | check-in |
      | gvb    | A    | check-in |

  @TAP-04
  Scenario: The record names the operator, mode, stop and vehicle of the reader tapped
    When card "A" taps at "gvb"
    Then the back office holds these taps in order:
      | reader | card | kind     |
      | gvb    | A    | check-in |

  @TAP-04
  Scenario: Checking out at the same operator is a plain check-out
    Given card "A" is checked in at "gvb"
    And a GVB tram on-board reader "dam" at "Dam" in vehicle "tram-2041"
    When 5 minutes pass
    And card "A" taps at "dam"
    Then the reader checks the card out
    And the log of card "A" shows, oldest first: load,check-in,check-out
