@role:backoffice
Feature: Fraud: blocks, compensation and the holder's own fault (TERM-09, TERM-10, TERM-11)
  On a fraud report or suspicion the issuer may block the card, the balance, or one or more
  products — each separately. When fraud is established the holder is compensated with the
  balance per the administration directly before the fraud (counting earlier transactions that
  arrive later) and/or gets a free new card; for an anonymous card only when the holder's
  personal data are known. With intent, fault or gross negligence (including lending a personal
  card) the replacement may be charged and compensation withheld; an unjust benefit is
  reclaimed or set off.
  Interpretation: blocking the card ends its usage right (TERM-12) and puts it on the deny
  list; balance and product blocks are kept by the administration (refunds, replacement and the
  back office's fares honour them).

  Background:
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €40.00
    And card "P" carries product "dal-voordeel"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @TERM-09 @role:seller
  Scenario: Blocking the balance blocks neither the card nor its products
    When the issuer blocks the balance of card "P" for suspected fraud
    Then the issuer accepts
    And the balance of card "P" is blocked
    And readers need not refuse card "P"
    And the administration shows no blocked products for card "P"
    When the holder asks a refund of card "P" at a service point
    Then the issuer refuses: balance-blocked
    When the issuer lifts the balance block of card "P"
    Then the balance of card "P" is not blocked

  @TERM-09
  Scenario: Blocking a product blocks neither the card nor the balance
    When the issuer blocks product "dal-voordeel" of card "P" for suspected fraud
    Then the administration shows blocked product dal-voordeel for card "P"
    And the balance of card "P" is not blocked
    And readers need not refuse card "P"
    When the issuer lifts the block of product "dal-voordeel" of card "P"
    Then the administration shows no blocked products for card "P"

  @TERM-09 @role:reader
  Scenario: Blocking the card blocks neither the balance nor the products, and readers refuse it
    When the issuer blocks the card of card "P" for suspected fraud
    Then readers must refuse card "P"
    And the balance of card "P" is not blocked
    And the administration shows no blocked products for card "P"
    And the usage right of card "P" has ended: fraud
    When card "P" taps at "in"
    Then the reader refuses: deny-listed
    When the issuer lifts the card block of card "P"
    Then the issuer refuses: card-block-is-final

  @TERM-10 @role:reader @capability:offline-readers
  Scenario: Compensation is the balance directly before the fraud, late taps included
    Given reader "in" is offline
    And reader "out" is offline
    And it is 2024-06-12 09:00
    And card "P" taps at "in"
    And it is 2024-06-12 09:10
    And card "P" taps at "out"
    And it is 2024-06-12 14:00
    And card "P" is checked in at "in"
    And it is 2024-06-12 14:20
    And card "P" taps at "out"
    When it is 2024-06-13 09:00
    And reader "in" comes back online
    And reader "out" comes back online
    And the issuer establishes fraud with card "P" from 2024-06-12 14:00
    Then the balance directly before the fraud was €38.75
    And the compensation paid is €38.75, after setting off €0.00
    And a new card is free
    And readers must refuse card "P"
    When the holder gets replacement card "P2" for card "P" (fraud)
    Then the replacement costs €0.00
    And card "P2" holds product "dal-voordeel"

  @TERM-10
  Scenario: An anonymous card's holder is compensated only when their personal data are known
    Given an anonymous card "A"
    And card "A" has a balance of €25.00
    When it is 2024-06-13 10:00
    And the issuer establishes fraud with card "A" from 2024-06-13 09:00
    Then the issuer refuses: personal-data-unknown
    And readers must refuse card "A"
    When the holder of card "A" makes their personal data known
    And the issuer establishes fraud with card "A" from 2024-06-13 09:00
    Then the compensation paid is €25.00, after setting off €0.00

  @TERM-11
  Scenario: Lending the personal card: compensation withheld, the new card charged
    When it is 2024-06-13 10:00
    And the issuer establishes fraud with card "P" from 2024-06-13 09:00, finding lent-personal-card
    Then the compensation of €40.00 is withheld
    And a new card is not free
    When the holder gets replacement card "P2" for card "P" (fraud)
    Then the replacement costs €7.50

  @TERM-11 @TERM-14
  Scenario: An unjust benefit is set off against the compensation
    When it is 2024-06-13 10:00
    And the issuer establishes fraud with card "P" from 2024-06-13 09:00, finding careful and an unjust benefit of €5.00
    Then the compensation paid is €35.00, after setting off €5.00
    And the holder of card "P" owes €0.00

  @TERM-11
  Scenario: With the holder's fault an unjust benefit is reclaimed
    When it is 2024-06-13 10:00
    And the issuer establishes fraud with card "P" from 2024-06-13 09:00, finding gross-negligence and an unjust benefit of €5.00
    Then the compensation of €40.00 is withheld
    And the holder of card "P" owes €5.00
