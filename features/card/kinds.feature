@role:seller
Feature: Card kinds (CARD-01)
  Four kinds of card meet a reader: anonymous and personal OV-chipkaarten, disposable
  single-use chip cards with one fixed travel right, and contactless bank cards (OVpay).

  Background:
    Given it is 2024-06-12 08:00

  @CARD-01
  Scenario: An anonymous card carries no holder data and starts empty
    Given an anonymous card "A"
    Then card "A" is an anonymous card
    And card "A" carries no holder data
    And card "A" has a balance of €0.00

  @CARD-01
  Scenario: A personal card carries the holder's birth date on the chip
    Given a personal card "P" of a traveller born on 1990-05-01
    Then card "P" is a personal card
    And card "P" carries the birth date 1990-05-01

  @CARD-01 @role:reader
  Scenario: A disposable card holds one fixed travel right and no balance
    Given a disposable card "D" for a single journey from "Amsterdam Centraal" to "Utrecht Centraal"
    And an NS train pole "in" at "Amsterdam Centraal"
    And an NS train pole "out" at "Utrecht Centraal"
    Then card "D" is a disposable card
    And card "D" carries 1 product
    When card "D" is loaded with €10.00
    Then the machine refuses: disposable-card
    When card "D" taps at "in"
    Then the reader checks the card in
    And the deposit taken is €0.00
    When 40 minutes pass
    And card "D" taps at "out"
    Then the reader checks the card out
    And the fare charged is €0.00
    And card "D" carries 0 products

  @CARD-01 @role:reader
  Scenario: A used disposable card cannot start a second journey
    Given a disposable card "D" for a single journey from "Amsterdam Centraal" to "Utrecht Centraal"
    And an NS train pole "in" at "Amsterdam Centraal"
    And an NS train pole "out" at "Utrecht Centraal"
    And card "D" is checked in at "in"
    And 40 minutes pass
    And card "D" taps at "out"
    When 2 hours pass
    And card "D" taps at "out"
    Then the reader refuses: no-valid-travel-right
    And the reader shows "Geen geldig reisproduct"

  @CARD-01 @role:reader
  Scenario: A disposable card is valid only on its route
    Given a disposable card "D" for a single journey from "Amsterdam Centraal" to "Utrecht Centraal"
    And an NS train pole "elsewhere" at "Schiphol Airport"
    When card "D" taps at "elsewhere"
    Then the reader refuses: no-valid-travel-right

  @CARD-01 @role:reader
  Scenario: A bank card is accepted without writing anything to a chip
    Given a bank card "V"
    And a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    When bank card "V" taps at "T"
    Then the reader accepts the bank card
    And the reader did not write to the card
    And the back office has received 1 tap
