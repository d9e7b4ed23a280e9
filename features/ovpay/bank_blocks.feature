@role:backoffice @role:reader
Feature: A card blocked by its bank cannot travel; only the bank can lift that (EMV-04)
  When the bank lists a card as lost or stolen, or blocks it for another reason, its travel
  function is blocked too: the back office puts it on the deny list for the bank's reason. That
  is the bank's decision: an operator cannot lift it; when the bank lifts its block, the back
  office follows.

  Background:
    Given it is 2024-06-12 08:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"

  @EMV-04 @EMV-05
  Scenario: A card the bank lists as stolen is refused; an operator cannot lift the block, the bank can
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And the bank reports bank card "V" as stolen
    Then bank card "V" is on the deny list for lost-or-stolen
    When it is 2024-06-12 12:00
    And bank card "V" taps at "ut"
    Then the reader refuses: deny-listed
    And the reader shows "Betaalpas geblokkeerd door uw bank"
    And the reader shows in English "Contact your bank"
    When an operator asks to lift the block of bank card "V"
    Then the block stays: the bank's decision lost-or-stolen
    And bank card "V" is on the deny list for lost-or-stolen
    When it is 2024-06-12 12:10
    And bank card "V" taps at "ut"
    Then the reader refuses: deny-listed
    When the bank lifts its block of bank card "V"
    And it is 2024-06-12 12:20
    And bank card "V" taps at "ut"
    Then the reader accepts the bank card
    And bank card "V" is not on the deny list

  @EMV-04
  Scenario: The account status check at first use finds the card blocked by the bank
    Given the bank reports bank card "V" as blocked
    And it is 2024-06-12 09:00
    When bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    And the reader shows "Betaalpas geblokkeerd door uw bank"
    And bank card "V" is on the deny list for bank-blocked
    When an operator asks to lift the block of bank card "V"
    Then the block stays: the bank's decision bank-blocked

  @EMV-04 @EMV-12
  Scenario: A payment declined because the card was reported lost blocks it for the bank's reason and for the debt
    Given the bank answers the next payments of bank card "V" with: decline-lost
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    And it is 2024-06-13 08:00
    Then bank card "V" is on the deny list for lost-or-stolen
    And bank card "V" is on the deny list for settlement-failed
    And the open debt of bank card "V" is €8.56
    When bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    # The reader names the bank's block, which no payment at a reader can lift.
    And the reader shows "Betaalpas geblokkeerd door uw bank"

  @EMV-04 @EMV-05
  Scenario: An operator can lift a block for a discount product's conditions, not one of the bank
    Given a bank card "W"
    And card "W" is on the deny list as product-conditions
    And card "V" is on the deny list as product-conditions
    And the bank reports bank card "V" as lost
    When an operator asks to lift the block of bank card "W"
    Then the block is lifted
    And bank card "W" is not on the deny list
    When an operator asks to lift the block of bank card "V"
    Then the block stays: the bank's decision lost-or-stolen
