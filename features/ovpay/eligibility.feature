@role:backoffice @role:reader
Feature: The account status check at first use and after 14 days without travel (EMV-03)
  The first check-in with a bank card, and the first one after 14 days without travel, makes the
  back office ask the bank whether the card has a Dutch public-transport travel function. A card
  without one is refused and its travel function blocked (deny list), until a later check finds
  the function connected.

  Days without travel are the calendar days strictly between two travel days: after travel on
  1 June, a check-in on 15 June follows 13 idle days (2–14 June), one on 16 June follows 14.

  Background:
    Given it is 2024-06-01 06:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"

  @EMV-03
  Scenario: The first check-in triggers one account status check
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:00:00 | asd    |
    Then the bank received 1 account status check for bank card "V"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:30:00 | ut     |
      | 2024-06-01 17:00:00 | ut     |
    Then the bank received 1 account status check for bank card "V"

  @EMV-03 @EMV-05
  Scenario: A card without a travel function is refused at its first check-in and blocked
    Given the bank registers bank card "V" as maestro-physical without a travel function
    And it is 2024-06-01 09:00
    When bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    And the reader shows "Met deze betaalpas kunt u niet reizen"
    And the reader shows in English "cannot be used for public transport"
    And bank card "V" is on the deny list for no-travel-function
    And the bank received 1 account status check for bank card "V"

  @EMV-03
  Scenario: After 13 days without travel there is no new check
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:00:00 | asd    |
      | 2024-06-01 09:30:00 | ut     |
    # The bank withdraws the travel function; without a check the back office cannot know.
    Given the bank registers bank card "V" as maestro-physical without a travel function
    And it is 2024-06-15 09:00
    When bank card "V" taps at "asd"
    Then the reader accepts the bank card
    And the bank received 1 account status check for bank card "V"

  @EMV-03
  Scenario: After 14 days without travel the card is checked again
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:00:00 | asd    |
      | 2024-06-01 09:30:00 | ut     |
    Given the bank registers bank card "V" as maestro-physical without a travel function
    And it is 2024-06-16 09:00
    When bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    And the bank received 2 account status checks for bank card "V"
    And bank card "V" is on the deny list for no-travel-function

  @EMV-03
  Scenario: A card still travelling within 14 days is not checked again
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:00:00 | asd    |
      | 2024-06-01 09:30:00 | ut     |
      | 2024-06-14 09:00:00 | asd    |
      | 2024-06-14 09:30:00 | ut     |
      | 2024-06-28 09:00:00 | asd    |
    # 2–13 June: 12 idle days; 15–27 June: 13 idle days.
    Then the bank received 1 account status check for bank card "V"

  @EMV-03
  Scenario: Once the bank connects the travel function, the next check-in is accepted
    Given the bank registers bank card "V" as maestro-physical without a travel function
    And it is 2024-06-01 09:00
    And bank card "V" taps at "asd"
    Then the reader refuses: deny-listed
    Given the bank registers bank card "V" as maestro-physical with a travel function
    And it is 2024-06-01 09:20
    When bank card "V" taps at "asd"
    Then the reader accepts the bank card
    And the bank received 2 account status checks for bank card "V"
    And bank card "V" is not on the deny list
