Feature: No interest, and card validity (CARD-03, CARD-04)

  @CARD-03 @role:seller
  Scenario: A balance earns no interest, however long it stays on the card
    Given it is 2024-01-02 09:00
    And an anonymous card "A"
    And card "A" has a balance of €100.00
    When 1460 days pass
    Then card "A" has a balance of €100.00

  @CARD-04 @role:seller
  Scenario: A personal card is valid for five years
    Given it is 2024-06-12 08:00
    And a personal card "P" of a traveller born on 1990-05-01
    Then card "P" is valid until 2029-06-11

  @CARD-04 @role:seller
  Scenario: An anonymous card is valid for the rule set's anonymous validity (default five years)
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    Then card "A" is valid until 2029-06-11

  @CARD-04 @TAP-05 @role:reader
  Scenario: On its last valid day the card checks in; the next day a reader refuses it
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "T2" at "Leidseplein" in vehicle "tram-2041"
    When it is 2029-06-11 23:30
    And card "A" taps at "T"
    Then the reader checks the card in
    When it is 2029-06-11 23:40
    And card "A" taps at "T2"
    Then the reader checks the card out
    When it is 2029-06-12 08:00
    And card "A" taps at "T"
    Then the reader refuses: expired
    And the reader shows "Kaart verlopen"

  @CARD-04 @TAP-05 @role:reader
  Scenario: A journey begun before expiry can still be checked out after midnight
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a GVB tram on-board reader "T" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "T2" at "Leidseplein" in vehicle "tram-2041"
    When it is 2029-06-11 23:55
    And card "A" taps at "T"
    And it is 2029-06-12 00:10
    And card "A" taps at "T2"
    Then the reader checks the card out

  @CARD-04 @role:seller
  Scenario: An expired card cannot be loaded
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    When it is 2029-06-12 08:00
    And card "A" is loaded with €10.00
    Then the machine refuses: expired
