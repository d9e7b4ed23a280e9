@role:backoffice @role:service-provider
Feature: A journey does not continue past the end of its travel day (EMV-07, JRN-01)
  Regression scenario: a check-in after 03:05 starts a new journey on the new travel day, even
  within 35 minutes of a check-out before 03:05, so every trip is reported and settled on the
  travel day its taps belong to.

  @EMV-07 @JRN-01
  Scenario: A transfer across 03:05 is a new journey on the new travel day
    Given a bank card "V"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam-2" at "Dam" in vehicle "tram-2107"
    And a GVB tram on-board reader "t-leid" at "Leidseplein" in vehicle "tram-2107"
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-13 02:50:00 | t-asd   |
      | 2024-06-13 03:00:00 | t-dam   |
      | 2024-06-13 03:10:00 | t-dam-2 |
      | 2024-06-13 03:16:00 | t-leid  |
    And it is 2024-06-14 04:00
    Then the journeys of card "V" are:
      | journey | legs         | day        | fare  |
      | 1       | asd>dam      | 2024-06-12 | €1.25 |
      | 2       | dam>leidsepl | 2024-06-13 | €1.38 |
