@role:seller
Feature: Loading balance (CARD-07)
  A completed load raises the balance by exactly the amount loaded ("bevrijdend betaald"),
  cannot be revoked, only refunded; one load is at most the rule set's per-load maximum.

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"

  @CARD-07
  Scenario: A load raises the balance by exactly the amount and is logged
    Given card "A" has a balance of €12.34
    When card "A" is loaded with €20.00
    Then the machine accepts
    And card "A" has a balance of €32.34
    And the newest transaction of card "A" is a load of €20.00

  @CARD-07
  Scenario: The per-load maximum is accepted, one cent more is refused
    When card "A" is loaded with €50.00
    Then the machine accepts
    When card "A" is loaded with €50.01
    Then the machine refuses: above-max-load
    And card "A" has a balance of €50.00

  @CARD-07
  Scenario: A completed load cannot be revoked
    Given card "A" is loaded with €20.00
    When the last load of card "A" is revoked
    Then the machine refuses: load-is-final
    And card "A" has a balance of €20.00

  @CARD-07
  Scenario: A load must be a positive amount
    When card "A" is loaded with €0.00
    Then the machine refuses: not-positive
