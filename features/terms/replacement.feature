@role:backoffice
Feature: Replacement of a personal card (TERM-08)
  On request a lost, stolen or defect personal card is replaced (this may cost). The old
  card's balance is computed from the administration within two weeks of the report and paid
  to the bank account; products per the administration move to the new card unless their
  product terms forbid it; the old card is terminated.
  Interpretations (rule set fees.replacement_card_cents, terms.non_transferable_products,
  terms.old_balance_within_days): a replacement costs €7.50; the regional discount product
  stands for a product whose terms forbid moving it; the old balance is paid when asked from the
  risk transfer on, and by the reference itself once the two weeks after the report are over.

  Background:
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And card "P" carries product "dal-voordeel"
    And card "P" carries product "regio-korting"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"

  @TERM-08 @role:seller
  Scenario: A stolen card is replaced with its products, the old card terminated
    Given it is 2024-06-12 10:00
    And the holder reports card "P" stolen
    When the holder gets replacement card "P2" for card "P" (lost-or-stolen)
    Then the replacement costs €7.50
    And card "P2" holds product "dal-voordeel"
    And card "P2" does not hold product "regio-korting"
    And product "regio-korting" was not moved: product-terms
    And card "P2" has a balance of €0.00
    And card "P2" replaces card "P"
    And the usage right of card "P" has ended: lost-or-stolen
    When card "P" taps at "in"
    Then the reader refuses: deny-listed
    When card "P2" is loaded with €10.00
    And card "P2" taps at "in"
    Then the reader checks the card in

  @TERM-08
  Scenario: The old balance is paid to the bank account at the latest two weeks after the report
    Given it is 2024-06-12 10:00
    And the holder reports card "P" lost
    Then the old balance is due by 2024-06-26
    When the holder gets replacement card "P2" for card "P" (lost-or-stolen)
    And it is 2024-06-27 00:00
    Then the old balance of card "P" was paid to the bank account: €30.00
    And the administration shows a balance of €0.00 for card "P"

  @TERM-08
  Scenario: A replacement needs a loss or theft report first
    When the holder gets replacement card "P2" for card "P" (lost-or-stolen)
    Then the issuer refuses: not-reported

  @TERM-08
  Scenario: A defect card is replaced and terminated; its balance comes from the administration
    Given it is 2024-06-12 10:00
    When the holder gets replacement card "P2" for card "P" (defect)
    Then the replacement costs €7.50
    And card "P2" holds product "dal-voordeel"
    And the usage right of card "P" has ended: defect
    When the issuer pays out the old balance of card "P"
    Then €30.00 is paid to the holder's bank account
    When card "P" taps at "in"
    Then the reader refuses: deny-listed

  @TERM-08 @TERM-09
  Scenario: A blocked product is not moved to the replacement card
    Given it is 2024-06-12 10:00
    And the issuer blocks product "dal-voordeel" of card "P" for suspected fraud
    And the holder reports card "P" stolen
    When the holder gets replacement card "P2" for card "P" (lost-or-stolen)
    Then product "dal-voordeel" was not moved: blocked
    And card "P2" does not hold product "dal-voordeel"
