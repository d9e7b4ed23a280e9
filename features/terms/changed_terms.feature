@role:backoffice
Feature: Objection to changed terms (TERM-13)
  A holder who does not accept a change of services, instructions, tariffs or terms says so in
  writing within 30 days of the notice; the usage right then ends 10 calendar days after the
  issuer receives the objection.
  Interpretations (rule set terms.objection_window_days, terms.objection_usage_end_days): the
  30th day after the notice is the last day; the usage right ends at 00:00 of the date 10
  calendar days after the day of receipt (received 3 June: usable through 12 June).

  Background:
    Given it is 2024-06-01 09:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €20.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @TERM-13
  Scenario: An objection on the 30th day after the notice is in time, on the 31st it is not
    When it is 2024-07-01 16:00
    And the holder of card "P" objects to the change of terms announced on 2024-06-01
    Then the issuer accepts
    And the usage right of card "P" ends at 2024-07-11 00:00

  @TERM-13
  Scenario: An objection 31 days after the notice is too late
    When it is 2024-07-02 09:00
    And the holder of card "P" objects to the change of terms announced on 2024-06-01
    Then the issuer refuses: objection-too-late
    And the usage right of card "P" is active

  @TERM-13 @role:reader
  Scenario: The usage right ends 10 calendar days after the objection is received
    When it is 2024-06-03 14:00
    And the holder of card "P" objects to the change of terms announced on 2024-06-01
    Then the usage right of card "P" ends at 2024-06-13 00:00
    When it is 2024-06-12 23:50
    Then the usage right of card "P" is active
    When card "P" taps at "in"
    Then the reader checks the card in
    When it is 2024-06-12 23:55
    And card "P" taps at "out"
    Then the reader checks the card out
    When it is 2024-06-13 00:00
    Then the usage right of card "P" has ended: changed-terms-rejected
    When card "P" taps at "in"
    Then the reader refuses: deny-listed
    When the holder asks a refund of card "P" at a service point
    Then the service point pays €18.75 in cash
    And the refund's admin fee is €0.00
