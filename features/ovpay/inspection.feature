@role:service-provider @role:backoffice
Feature: An inspector sees whether a bank card is checked in and, with consent, its last transactions (EMV-16)
  An inspector presents the traveller's bank card to a device, which shows whether the card is
  checked in. With the traveller's consent it also shows the last 10 transactions, no older than
  62 days. The device shows them at most 5 minutes, or until another card is presented.

  Background:
    Given it is 2024-06-01 06:00
    And a bank card "V"
    And a bank card "W"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"

  @EMV-16
  Scenario: Without consent the inspector sees only whether the card is checked in
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-12 09:10
    And inspector device "I" checks bank card "V" without consent
    Then the inspection shows the card "checked in at Amsterdam Centraal with NS"
    And the inspection shows 0 transactions
    And the inspection shows no card number of "V"
    When inspector device "I" checks bank card "W" without consent
    Then the inspection shows the card "not checked in"

  @EMV-16
  Scenario: With consent the inspector sees the last 10 transactions, newest first
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-01 09:00:00 | asd    |
      | 2024-06-01 09:30:00 | ut     |
      | 2024-06-02 09:00:00 | asd    |
      | 2024-06-02 09:30:00 | ut     |
      | 2024-06-03 09:00:00 | asd    |
      | 2024-06-03 09:30:00 | ut     |
      | 2024-06-04 09:00:00 | asd    |
      | 2024-06-04 09:30:00 | ut     |
      | 2024-06-05 09:00:00 | asd    |
      | 2024-06-05 09:30:00 | ut     |
      | 2024-06-06 09:00:00 | asd    |
      | 2024-06-06 09:30:00 | ut     |
    And it is 2024-06-06 10:00
    And inspector device "I" checks bank card "V" with consent
    Then the inspection shows the card "not checked in"
    And the inspection shows these transactions:
      | at               | station            | kind      |
      | 2024-06-06 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-06 09:00 | Amsterdam Centraal | check-in  |
      | 2024-06-05 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-05 09:00 | Amsterdam Centraal | check-in  |
      | 2024-06-04 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-04 09:00 | Amsterdam Centraal | check-in  |
      | 2024-06-03 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-03 09:00 | Amsterdam Centraal | check-in  |
      | 2024-06-02 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-02 09:00 | Amsterdam Centraal | check-in  |
    And the inspection shows no card number of "V"

  @EMV-16
  Scenario: Transactions 62 days back are shown, 63 days back not
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-11 09:00:00 | asd    |
      | 2024-06-11 09:30:00 | ut     |
      | 2024-06-12 09:00:00 | asd    |
      | 2024-06-12 09:30:00 | ut     |
    # 2024-08-13 is 62 days after 2024-06-12 (12 Jun + 18 = 30 Jun, + 31 = 31 Jul, + 13).
    And it is 2024-08-13 10:00
    And inspector device "I" checks bank card "V" with consent
    Then the inspection shows these transactions:
      | at               | station            | kind      |
      | 2024-06-12 09:30 | Utrecht Centraal   | check-out |
      | 2024-06-12 09:00 | Amsterdam Centraal | check-in  |

  @EMV-16
  Scenario: The device shows an inspection for less than 5 minutes
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-12 09:10:00
    And inspector device "I" checks bank card "V" with consent
    And it is 2024-06-12 09:14:59
    Then inspector device "I" shows the card "checked in at Amsterdam Centraal with NS"
    And inspector device "I" shows 1 transaction
    When it is 2024-06-12 09:15:00
    Then inspector device "I" shows nothing

  @EMV-16
  Scenario: The next card presented replaces the inspection
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:00:00 | asd    |
    And it is 2024-06-12 09:10
    And inspector device "I" checks bank card "V" with consent
    Then inspector device "I" shows the card "checked in at Amsterdam Centraal with NS"
    When it is 2024-06-12 09:11
    And inspector device "I" checks bank card "W" without consent
    Then inspector device "I" shows the card "not checked in"
    And inspector device "I" shows 0 transactions
