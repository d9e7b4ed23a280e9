Feature: The card's transaction log (CARD-08)
  The card keeps its most recent transactions, readable at machines. Of its 28 log slots
  three are kept free (one tap writes at most three entries: missing check-out, auto-reload,
  check-in), so an interrupted write never damages the previous state: 25 are shown.

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @CARD-08 @role:seller @role:reader
  Scenario: Loads and taps appear in the log in order
    Given card "A" is loaded with €20.00
    And card "A" is checked in at "in"
    When 10 minutes pass
    And card "A" taps at "out"
    Then the log of card "A" shows, oldest first: load,check-in,check-out
    And the newest transaction of card "A" is a check-out of €2.75

  @CARD-08 @role:seller
  Scenario: Only the most recent transactions are kept
    Given card "A" is loaded with €1.00
    And card "A" is loaded with €2.00
    And card "A" is loaded with €3.00
    And card "A" is loaded with €4.00
    And card "A" is loaded with €5.00
    And card "A" is loaded with €6.00
    And card "A" is loaded with €7.00
    And card "A" is loaded with €8.00
    And card "A" is loaded with €9.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    And card "A" is loaded with €1.00
    Then the log of card "A" holds 25 transactions
    And the oldest transaction of card "A" is a load of €5.00
    And card "A" has a balance of €65.00
