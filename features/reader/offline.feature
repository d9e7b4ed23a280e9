@role:reader @role:service-provider @role:backoffice
Feature: Offline readers upload later (TAP-08)
  Readers may be offline: they keep their taps and upload them later. The back office gives
  the same result whatever the arrival order, and a repeated upload changes nothing.
  Interpretation (tap-order = by-tap-time): taps are ordered by the reader's clock, then id.

  Background:
    Given it is 2024-06-12 10:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a GVB tram on-board reader "tram" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "tram-out" at "Dam" in vehicle "tram-2041"
    And an HTM tram on-board reader "htm" at "Spui" in vehicle "tram-3001"
    And an HTM tram on-board reader "htm-out" at "Scheveningen, Kurhaus" in vehicle "tram-3001"

  @TAP-08 @capability:offline-readers
  Scenario Outline: Two offline readers upload in either order; the back office order is the same
    Given reader "tram" is offline
    And reader "htm" is offline
    And card "A" taps at "tram"
    And 5 minutes pass
    And card "A" taps at "tram-out"
    And 2 hours pass
    And card "A" taps at "htm"
    And 10 minutes pass
    And card "A" taps at "htm-out"
    When reader "<first>" comes back online
    And reader "<second>" comes back online
    Then the back office holds these taps in order:
      | reader   | card | kind      |
      | tram     | A    | check-in  |
      | tram-out | A    | check-out |
      | htm      | A    | check-in  |
      | htm-out  | A    | check-out |

    Examples:
      | first | second |
      | tram  | htm    |
      | htm   | tram   |

  @TAP-08 @capability:offline-readers
  Scenario: An offline reader still serves the traveller and keeps the tap
    Given reader "tram" is offline
    When card "A" taps at "tram"
    Then the reader checks the card in
    And the back office has received 0 taps
    When reader "tram" comes back online
    Then the upload held 1 tap, of which 1 new
    And the back office has received 1 tap

  @TAP-08 @capability:offline-readers
  Scenario: Uploading the same taps twice changes nothing
    Given reader "tram" is offline
    And card "A" taps at "tram"
    And 5 minutes pass
    And reader "tram" comes back online
    When reader "tram" sends its last upload again
    Then the upload held 1 tap, of which 0 new
    And the back office has received 1 tap
