@role:backoffice
Feature: Set-off of what the holder owes (TERM-14)
  What the issuer can claim from the holder (a deficit, admin costs, unpaid debits, an unjust
  benefit) it may set off against what the holder can claim (refunds, compensation).

  Background:
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01

  @TERM-14 @role:seller @capability:auto-reload
  Scenario: A failed auto-reload debit is set off against a refund at the service point
    Given card "P" has a balance of €2.00
    And auto-reload of €20.00 is set on card "P"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    When card "P" taps at "in"
    Then the reader auto-reloaded €20.00
    And card "P" has a balance of €18.00
    When the holder's bank refuses the direct debit of €20.00 for the auto-reload of card "P"
    Then the holder of card "P" owes €20.00
    When it is 2024-06-13 10:00
    And card "P" is loaded with €10.00
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €7.00 in cash
    And the refund's admin fee is €1.00
    And the refund sets off €20.00
    And the holder of card "P" owes €0.00
    And the balance of card "P" is not blocked for the debt

  @TERM-14
  Scenario: A deficit left on a stolen card is set off against a missed check-out refund
    Given card "P" is loaded with €20.00 at an NS machine
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "gn" at "Groningen"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And card "P" is loaded with €4.00
    And it is 2024-06-12 10:00
    And card "P" is checked in at "in"
    And it is 2024-06-12 12:00
    And card "P" is checked in at "asd"
    And it is 2024-06-12 14:30
    And card "P" taps at "gn"
    Then card "P" has a balance of -€10.00
    When it is 2024-06-12 18:00
    And the holder reports card "P" stolen
    And it is 2024-06-13 10:00
    And the issuer pays out the old balance of card "P"
    Then the holder of card "P" owes €10.00
    When it is 2024-06-27 10:00
    And the holder of card "P" claims a refund for the journey checked in at 2024-06-12 10:00, having left at "Dam"
    Then the operator refunds €2.75 of the €4.00 charged
    And the holder of card "P" owes €7.25
