@role:seller
Feature: Balance limits (CARD-02)
  The balance never exceeds €150.00 after a load; a load that would exceed it is refused.
  Interpretation (rule-set switch negative-balance = fares-only): the balance can drop below
  zero only through a boarding fee or a fare; a later load first clears the deficit.

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"

  @CARD-02
  Scenario: Loading up to exactly €150.00 is accepted
    Given card "A" has a balance of €100.00
    When card "A" is loaded with €50.00
    Then the machine accepts
    And card "A" has a balance of €150.00

  @CARD-02
  Scenario: One cent above €150.00 is refused and changes nothing
    Given card "A" has a balance of €150.00
    When card "A" is loaded with €0.01
    Then the machine refuses: above-max-balance
    And card "A" has a balance of €150.00

  @CARD-02
  Scenario: From €149.99 one cent more reaches the maximum exactly
    Given card "A" has a balance of €149.99
    When card "A" is loaded with €0.01
    Then the machine accepts
    And card "A" has a balance of €150.00

  @CARD-02 @TAP-02 @role:reader
  Scenario: A boarding fee takes the balance below zero; a later load clears the deficit first
    Given a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    And card "A" is checked in at "T"
    Then card "A" has a balance of -€4.00
    When card "A" is loaded with €10.00
    Then the machine accepts
    And card "A" has a balance of €6.00

  @CARD-02
  Scenario: With a deficit, the maximum still counts against the resulting balance
    Given a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    And card "A" is checked in at "T"
    And card "A" is loaded with €50.00
    And card "A" is loaded with €50.00
    And card "A" is loaded with €50.00
    Then card "A" has a balance of €146.00
    When card "A" is loaded with €4.00
    Then the machine accepts
    And card "A" has a balance of €150.00

  @CARD-02 @role:reader
  Scenario: The maximum limits loads: a returned deposit may leave more than €150.00
    Given a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    And card "A" has a balance of €150.00
    And card "A" is checked in at "T"
    And card "A" is loaded with €4.00
    When 5 minutes pass
    And card "A" taps at "T"
    Then the reader checks the card out
    And the fare charged is €1.08
    And card "A" has a balance of €152.92
    When card "A" is loaded with €0.01
    Then the machine refuses: above-max-balance
