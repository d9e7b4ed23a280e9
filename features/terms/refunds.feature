@role:seller
Feature: Balance refunds at service points and with the form (TERM-03)
  A holder may have the balance refunded at a service point; reasonable admin costs (€1.00)
  are offset against it. Service points refund at most €30.00; above that only the refund
  form, paid to a bank account. Ending the card costs no admin fee. A refund needs a balance
  above €0.00.
  Interpretation (rule set fees.service_point_refund_max_cents): the maximum applies to the
  balance before the admin costs, so €30.00 is refunded at the counter as €29.00 cash. The
  admin costs are offset against the balance and never exceed it.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"

  @TERM-03
  Scenario: €30.00 is refunded at the service point, less €1.00 admin costs
    Given card "A" has a balance of €30.00
    When the holder asks a refund of card "A" at a service point
    Then the service point pays €29.00 in cash
    And the refund's admin fee is €1.00
    And card "A" has a balance of €0.00
    And the usage right of card "A" is active

  @TERM-03
  Scenario: €30.01 is above the service-point maximum: only the form, to a bank account
    Given card "A" has a balance of €30.01
    When the holder asks a refund of card "A" at a service point
    Then the issuer refuses: above-service-point-maximum
    And card "A" has a balance of €30.01
    When the holder sends card "A" in with the refund form
    Then €30.01 is paid to the holder's bank account
    And the refund's admin fee is €0.00
    And card "A" is kept by the issuer

  @TERM-03
  Scenario: Ending the card at the service point costs no admin fee
    Given card "A" has a balance of €25.00
    When the holder ends card "A" at a service point
    Then the service point pays €25.00 in cash
    And the refund's admin fee is €0.00
    And card "A" is kept by the issuer

  @TERM-03
  Scenario: No refund of a balance of €0.00
    When the holder asks a refund of card "A" at a service point
    Then the issuer refuses: no-balance

  @TERM-03 @role:reader
  Scenario: A deficit is no balance to refund; one cent is, its admin costs capped at it
    Given card "A" has a balance of €1.00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And card "A" is loaded with €19.00 at an NS machine
    And an NS train pole "gn" at "Groningen"
    And card "A" is checked in at "asd"
    And 150 minutes pass
    And card "A" taps at "gn"
    Then card "A" has a balance of -€10.00
    When the holder asks a refund of card "A" at a service point
    Then the issuer refuses: no-balance
    When card "A" is loaded with €10.01
    And the holder asks a refund of card "A" at a service point
    Then the service point pays €0.00 in cash
    And the refund's admin fee is €0.01

  @TERM-03 @TERM-01
  Scenario: A card refunded without ending it stays in use
    Given card "A" has a balance of €10.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    When the holder asks a refund of card "A" at a service point
    Then the service point pays €9.00 in cash
    When card "A" is loaded with €10.00
    And card "A" taps at "in"
    Then the reader checks the card in
