@role:reader
Feature: Several cards presented at once (CARD-09)
  A reader processes exactly one card per tap; when it sees more than one it reports a
  collision and charges nobody, so no card pays twice.

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And an anonymous card "B"
    And card "A" has a balance of €20.00
    And card "B" has a balance of €20.00
    And an NS train gate "gate" at "Amsterdam Centraal"
    And card "A" is loaded with €1.00 at an NS machine
    And card "B" is loaded with €1.00 at an NS machine

  @CARD-09
  Scenario: Two cards at once: a collision, nothing charged, nothing recorded
    When cards "A" and "B" are held together at "gate"
    Then the reader refuses: collision
    And the reader shows "Houd één kaart voor de lezer"
    And card "A" has a balance of €21.00
    And card "B" has a balance of €21.00
    And card "A" is not checked in
    And card "B" is not checked in
    And the back office has received 0 taps

  @CARD-09
  Scenario: After a collision one card at a time checks in normally
    When cards "A" and "B" are held together at "gate"
    And card "A" taps at "gate"
    Then the reader checks the card in
    And card "A" is checked in
    And card "B" is not checked in
