@role:backoffice
Feature: Bank-card tokens and PAN retention (EMV-01, EMV-02, EMV-17)
  Directly after a tap the PAN of a bank card is pseudonymised into a token; each card has its
  own token. Each operator sees its own token for a card, so operators cannot link journeys
  across operators. The PAN data (PAN, sequence number, expiry) are kept at most 24 hours
  after the tap — elapsed time, also across a DST night; the processed transactions stay.

  Background:
    Given it is 2024-06-12 08:00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @EMV-01
  Scenario: The PAN becomes a token at once; the back office holds the PAN data of that one card
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
    Then the back office has received 1 tap
    And no tap held by the back office shows the card number of "V"
    And the back office holds the PAN data of 1 card

  @EMV-01 @role:service-provider
  Scenario: Each card has its own token, the same at every tap
    Given a bank card "W"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
    And bank card "W" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:20:00 | asd    |
      | 2024-06-12 10:50:00 | ut     |
    And it is 2024-06-13 04:00
    Then no tap held by the back office shows the card number of "V"
    And no tap held by the back office shows the card number of "W"
    And the back office holds the PAN data of 2 cards
    And card "V" made 1 journey
    And card "W" made 1 journey
    When operator "NS" asks for its report of 2024-06-12
    Then the report lists 4 transactions, 2 trips and 2 payments
    And the report shows 2 different tokens

  @EMV-02 @role:service-provider
  Scenario: NS and GVB see the same bank card under different tokens
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | ut     |
      | 2024-06-12 09:50:00 | asd    |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:06:00 | t-dam  |
    And it is 2024-06-13 04:00
    And operator "NS" asks for its report of 2024-06-12
    Then the report shows 1 different token
    When operator "GVB" asks for its report of 2024-06-12
    Then the report shows 1 different token
    And the reports of "NS" and "GVB" show card "V" under different tokens
    And no report shows the card number of "V"

  @EMV-17
  Scenario: The PAN data are held for 24 hours after the tap, not a second longer
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
    And it is 2024-06-13 09:59:59
    Then the back office holds the PAN data of 1 card
    When it is 2024-06-13 10:00:00
    Then the back office holds the PAN data of 0 cards

  @EMV-17
  Scenario: A card's PAN data go 24 hours after its last tap; another card's stay
    Given a bank card "W"
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:06:00 | t-dam  |
    And bank card "W" taps at these readers:
      | at                  | reader |
      | 2024-06-12 12:00:00 | t-asd  |
    And it is 2024-06-13 10:05:59
    Then the back office holds the PAN data of 2 cards
    When it is 2024-06-13 10:06:00
    Then the back office holds the PAN data of 1 card
    When it is 2024-06-13 12:00:00
    Then the back office holds the PAN data of 0 cards

  @EMV-17
  Scenario: Across the autumn DST night 24 hours end at 09:00 on the clock
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-10-26 10:00:00 | t-asd  |
    # 2024-10-26 10:00 CEST + 24 h = 2024-10-27 09:00 CET (the clock went back an hour)
    And it is 2024-10-27 08:59:59
    Then the back office holds the PAN data of 1 card
    When it is 2024-10-27 09:00:00
    Then the back office holds the PAN data of 0 cards

  @EMV-17 @role:service-provider
  Scenario: After the PAN data are gone the journeys and the reports by token remain
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:06:00 | t-dam  |
    And it is 2024-06-14 10:00
    Then the back office holds the PAN data of 0 cards
    And card "V" made 1 journey
    # GVB tram Amsterdam Centraal–Dam 0.9 km: €1.08 + 0.9 × €0.19 (→ €0.17) = €1.25
    And journey 1 of card "V" costs €1.25
    When operator "GVB" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's total is €1.25
    And no report shows the card number of "V"

  @EMV-17 @capability:offline-readers
  Scenario: A reader's copy of its last upload keeps no bank-card tap past the 24 hours
    Given reader "t-asd" is offline
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
    And it is 2024-06-12 10:30
    And reader "t-asd" comes back online
    Then the upload held 1 tap, of which 1 new
    When reader "t-asd" sends its last upload again
    Then the upload held 1 tap, of which 0 new
    # Sending it again after the PAN data are gone would bring the PAN back: the copy goes too.
    When it is 2024-06-13 10:00
    And reader "t-asd" sends its last upload again
    Then the upload held 0 taps, of which 0 new
    And the back office holds the PAN data of 0 cards
    And the back office has received 1 tap
