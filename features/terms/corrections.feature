@role:backoffice
Feature: Correction claims and which balance leads (TERM-02)
  A holder who thinks the issuer registered a balance or transaction wrongly can claim within
  3 months of the registration or of discovering the error; the administration is the
  counter-evidence. At a service point, for a direct cash refund, the balance on the card
  leads unless the holder shows counter-evidence.
  Interpretations (rule set terms.correction_claim_months, terms.refund_balance): the 3 months
  run from the later of registration and discovery, counted in calendar dates (the same day
  number three months on is the last day); with counter-evidence the balance per the
  administration is refunded.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" has a balance of €10.00

  @TERM-02
  Scenario: A claim on the last day of the 3 months is admissible, the day after is not
    When it is 2024-09-12 23:59
    And the holder of card "A" claims a correction of a registration on 2024-06-12
    Then the claim is admissible until 2024-09-12
    And the issuer weighs the card's €10.00 against the administration's €10.00
    When it is 2024-09-13 00:00
    And the holder of card "A" claims a correction of a registration on 2024-06-12
    Then the issuer refuses: claim-too-late

  @TERM-02
  Scenario: A later discovery starts the 3 months anew
    When it is 2024-12-01 12:00
    And the holder of card "A" claims a correction of a registration on 2024-06-12, discovered on 2024-09-01
    Then the claim is admissible until 2024-12-01
    When it is 2024-12-02 00:00
    And the holder of card "A" claims a correction of a registration on 2024-06-12, discovered on 2024-09-01
    Then the issuer refuses: claim-too-late

  @TERM-02 @role:seller
  Scenario: At the service point the card's balance leads for a cash refund
    When card "A" is loaded with €20.00 but the chip keeps its previous state
    Then card "A" has a balance of €10.00
    And the administration shows a balance of €30.00 for card "A"
    When the holder asks a refund of card "A" at a service point
    Then the service point pays €9.00 in cash
    And the administration of card "A" holds €20.00 more than was refunded

  @TERM-02 @role:seller
  Scenario: With counter-evidence the administration's balance is refunded
    When card "A" is loaded with €20.00 but the chip keeps its previous state
    And the holder asks a refund of card "A" at a service point, showing counter-evidence
    Then the service point pays €29.00 in cash
    And the administration of card "A" holds €0.00 more than was refunded

  @TERM-02 @role:reader @capability:offline-readers
  Scenario: The administration counts taps that reach it late
    Given a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"
    And reader "in" is offline
    And reader "out" is offline
    And card "A" is checked in at "in"
    And 10 minutes pass
    And card "A" taps at "out"
    Then card "A" has a balance of €8.75
    And the administration shows a balance of €10.00 for card "A"
    When reader "in" comes back online
    And reader "out" comes back online
    Then the administration shows a balance of €8.75 for card "A"
