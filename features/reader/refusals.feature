@role:reader @role:service-provider
Feature: Cards a reader refuses at check-in (TAP-05)
  A reader refuses check-in for a card on the deny list, an expired card, a blocked card, or
  a bank card whose travel function is blocked; check-out of an already-open journey is still
  accepted.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "out" at "Dam" in vehicle "tram-2041"

  @TAP-05
  Scenario: A card on the deny list is refused and blocked on the spot
    Given card "A" is on the deny list as lost-or-stolen
    When card "A" taps at "in"
    Then the reader refuses: deny-listed
    And the reader shows "Kaart geblokkeerd"
    And card "A" is blocked
    And card "A" is not checked in
    And card "A" has a balance of €20.00

  @TAP-05
  Scenario: A blocked card stays refused at every reader
    Given card "A" is on the deny list as fraud
    And card "A" taps at "in"
    When 1 minute passes
    And card "A" taps at "out"
    Then the reader refuses: blocked

  @TAP-05
  Scenario: Check-out of an open journey is accepted after the card was deny-listed
    Given card "A" is checked in at "in"
    And card "A" is on the deny list as settlement-failed
    When 5 minutes pass
    And card "A" taps at "out"
    Then the reader checks the card out
    And card "A" has a balance of €18.75

  @TAP-05
  Scenario: A bank card on the deny list is refused, and the refusal is reported
    Given a bank card "V"
    And card "V" is on the deny list as settlement-failed
    When bank card "V" taps at "in"
    Then the reader refuses: deny-listed
    And the back office holds these taps in order:
      | reader | card | kind    |
      | in     | V    | refused |

  @TAP-05
  Scenario: A bank card not on the list is accepted
    Given a bank card "V"
    When bank card "V" taps at "in"
    Then the reader accepts the bank card
