@role:backoffice
Feature: Which cards the general terms cover, and whose cards they are (TERM-01)
  The OV-chipkaart is and stays the property of the issuer (Trans Link Systems). The general
  terms apply to personal and anonymous cards; they do not apply to cards issued for business
  use. Interpretation: disposable cards, which the terms do not name, are not covered either.

  Background:
    Given it is 2024-06-12 10:00

  @TERM-01
  Scenario: The terms apply to personal and anonymous cards, which stay the issuer's
    Given a personal card "P" of a traveller born on 1990-05-01
    And an anonymous card "A"
    Then the general terms apply to card "P"
    And the general terms apply to card "A"
    And card "P" is the property of "Trans Link Systems B.V."
    And card "A" is the property of "Trans Link Systems B.V."

  @TERM-01 @capability:business-cards
  Scenario: A business card is not covered: no refund or loss report under the terms
    Given a business card "Z" issued by a business-card provider
    And card "Z" has a balance of €20.00
    Then the general terms do not apply to card "Z"
    And card "Z" is the property of "Trans Link Systems B.V."
    When the holder asks a refund of card "Z" at a service point
    Then the issuer refuses: terms-do-not-apply
    And card "Z" has a balance of €20.00
    When the holder reports card "Z" lost
    Then the issuer refuses: terms-do-not-apply

  @TERM-01
  Scenario: A disposable card, which the terms do not name, is not covered
    Given a disposable card "D" for a single journey from "Amsterdam Centraal" to "Utrecht Centraal"
    Then the general terms do not apply to card "D"

  @TERM-01 @role:seller
  Scenario: A card handed in stays with the issuer, its owner
    Given an anonymous card "A"
    And card "A" has a balance of €12.00
    When the holder ends card "A" at a service point
    Then the service point pays €12.00 in cash
    And card "A" is kept by the issuer
    And the usage right of card "A" has ended: handed-in
