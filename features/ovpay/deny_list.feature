@role:backoffice @role:reader
Feature: The deny list, its three reasons, and its distribution to readers as versioned deltas (EMV-05)
  Every check-in is checked against the deny list kept by the back office. A bank card is added
  when the bank lists it (lost, stolen), when a settlement failed, or when a discount product's
  conditions are not met. Every change gets the next version; a reader keeps a copy with the
  version it has seen and applies the changes after it strictly in order, so a reader that was
  off line catches up with exactly the versions it missed.

  Background:
    Given it is 2024-06-12 08:00
    And a bank card "V"
    And a bank card "W"
    And a bank card "X"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"

  @EMV-05
  Scenario: Each of the three reasons keeps a card from checking in
    Given the bank reports bank card "V" as lost
    And the bank answers the next payments of bank card "W" with: decline-insufficient-funds
    And bank card "W" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And card "X" is on the deny list as product-conditions
    When it is 2024-06-13 08:00
    Then bank card "V" is on the deny list for lost-or-stolen
    And bank card "W" is on the deny list for settlement-failed
    And bank card "X" is on the deny list for product-conditions
    When bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    When bank card "W" taps at "asd"
    Then the reader refuses: deny-listed
    When bank card "X" taps at "asd"
    Then the reader refuses: deny-listed
    And the reader shows "Kaart geblokkeerd"

  @EMV-05 @TAP-08 @capability:offline-readers
  Scenario: A reader that was off line gets the versions it missed, in order
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    Then the back office's deny list is at version 0
    And reader "ut" holds deny-list version 0
    When reader "ut" goes offline
    # Version 1 lists W, version 2 lists X, version 3 lifts W again.
    And card "W" is on the deny list as product-conditions
    And the bank reports bank card "X" as stolen
    And an operator asks to lift the block of bank card "W"
    Then the back office's deny list is at version 3
    And reader "ut" holds deny-list version 0
    # The off-line reader still decides on its old copy.
    When it is 2024-06-12 10:00
    And bank card "X" taps at "ut"
    Then the reader accepts the bank card
    # An on-line reader catches up before it decides.
    When it is 2024-06-12 10:05
    And bank card "X" taps at "asd"
    Then the reader refuses: deny-listed
    And reader "asd" holds deny-list version 3
    When reader "ut" comes back online
    Then reader "ut" holds deny-list version 3
    # The journey X started on the old copy may still be checked out (EMV-12) ...
    When it is 2024-06-12 10:30
    And bank card "X" taps at "ut"
    Then the reader accepts the bank card
    # ... but no new one starts; W, listed and lifted while "ut" was off line, travels.
    When it is 2024-06-12 11:30
    And bank card "X" taps at "ut"
    Then the reader refuses: deny-listed
    When bank card "W" taps at "ut"
    Then the reader accepts the bank card
    And the back office qualified the taps of card "X" as: tap-in,unmatched,tap-out,unmatched
