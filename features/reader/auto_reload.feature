@role:reader @role:service-provider
Feature: Auto-reload (TAP-06)
  On a personal card with auto-reload, when the balance threatens to go negative at check-in
  or check-out the reader loads the chosen amount (€10, €20 or €50), free of charge.
  Interpretation (auto-reload-trigger = balance-would-go-negative): one reload when the
  balance after the boarding fee, or after settling the fare, would be below zero.

  Background:
    Given it is 2024-06-12 10:00
    And a personal card "P" of a traveller born on 1990-05-01
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"

  @TAP-06 @capability:auto-reload
  Scenario: At check-in: €2.00 would go negative after the €4 deposit, so €20 is loaded
    Given card "P" has a balance of €2.00
    And auto-reload of €20.00 is set on card "P"
    When card "P" taps at "in"
    Then the reader checks the card in
    And the reader auto-reloaded €20.00
    And card "P" has a balance of €18.00
    And the log of card "P" shows, oldest first: load,auto-reload,check-in

  @TAP-06 @capability:auto-reload
  Scenario: At check-in: exactly the deposit does not trigger a reload
    Given card "P" has a balance of €4.00
    And auto-reload of €10.00 is set on card "P"
    When card "P" taps at "in"
    Then the reader checks the card in
    And the reader did not auto-reload
    And card "P" has a balance of €0.00

  @TAP-06 @capability:auto-reload
  Scenario: At check-out: a fare above the deposit that would go negative triggers a reload
    Given card "P" is loaded with €20.00 at an NS machine
    And auto-reload of €10.00 is set on card "P"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "gn" at "Groningen"
    And card "P" is checked in at "asd"
    When 150 minutes pass
    And card "P" taps at "gn"
    Then the reader checks the card out
    And the fare charged is €30.00
    And the reader auto-reloaded €10.00
    And card "P" has a balance of €0.00

  @TAP-06 @capability:auto-reload
  Scenario Outline: Only the offered amounts can be chosen
    When auto-reload of <amount> is set on card "P"
    Then the machine <outcome>

    Examples:
      | amount | outcome                         |
      | €10.00 | accepts                         |
      | €20.00 | accepts                         |
      | €50.00 | accepts                         |
      | €15.00 | refuses: amount-not-offered     |

  @TAP-06 @role:seller @capability:auto-reload
  Scenario: Auto-reload is for personal cards only
    Given an anonymous card "A"
    When auto-reload of €10.00 is set on card "A"
    Then the machine refuses: personal-card-only
