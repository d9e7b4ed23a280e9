@role:backoffice
Feature: Results do not depend on arrival order or duplicate uploads (GBO-04)
  Offline readers upload late, uploads get repeated. The back office orders taps by their
  time on the reader, then by tap id, and stores each tap id once: the same taps, in whatever
  order and however often they arrive, give the same journeys, fares, reports and settlement.

  The day used below: bank card "V" travels Amsterdam Centraal–Utrecht Centraal by NS
  (36 km: €1.00 + 36 × €0.21 = €8.56), then Utrecht Centraal–Utrecht Science Park by Qbuzz
  tram line 22 (7.5 km: €1.08 + 7.5 × €0.23 = 1.08 + 1.725 → €2.81); OV-chipkaart "A" rides
  the GVB tram Amsterdam Centraal–Dam (0.9 km: €1.08 + 0.9 × €0.19 → €0.17 = €1.25).

  Background:
    Given it is 2024-06-12 08:00
    And an anonymous card "A"
    And card "A" has a balance of €20.00
    And a bank card "V"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And a QBZ tram on-board reader "q-ut" at "Utrecht Centraal" in vehicle "tram-60"
    And a QBZ tram on-board reader "q-usp" at "Utrecht Science Park" in vehicle "tram-60"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"

  @GBO-04 @role:service-provider
  Scenario: The day's taps arrive in tap order
    When the back office receives these taps:
      | tap    | at                  | card | reader | kind      |
      | NS-1   | 2024-06-12 09:20:00 | V    | asd    | emv       |
      | NS-2   | 2024-06-12 09:50:00 | V    | ut     | emv       |
      | QBZ-1  | 2024-06-12 09:55:00 | V    | q-ut   | emv       |
      | QBZ-2  | 2024-06-12 10:10:00 | V    | q-usp  | emv       |
      | GVB-1  | 2024-06-12 11:00:00 | A    | t-asd  | check-in  |
      | GVB-2  | 2024-06-12 11:06:00 | A    | t-dam  | check-out |
    And it is 2024-06-13 04:00
    Then the upload held 6 taps, of which 6 new
    And the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs      | fare  |
      | 1       | asd>ut    | €8.56 |
      | 2       | ut>uithof | €2.81 |
    And the journeys of card "A" are:
      | journey | legs    | fare  |
      | 1       | asd>dam | €1.25 |
    When operator "NS" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's total is €8.56
    When travel day 2024-06-12 is settled
    Then operator "NS" is credited €8.56
    And operator "QBZ" is credited €2.81
    And operator "GVB" is credited €1.25

  @GBO-04 @role:service-provider
  Scenario: The same taps arrive in reverse order
    When the back office receives these taps:
      | tap    | at                  | card | reader | kind      |
      | GVB-2  | 2024-06-12 11:06:00 | A    | t-dam  | check-out |
      | GVB-1  | 2024-06-12 11:00:00 | A    | t-asd  | check-in  |
      | QBZ-2  | 2024-06-12 10:10:00 | V    | q-usp  | emv       |
      | QBZ-1  | 2024-06-12 09:55:00 | V    | q-ut   | emv       |
      | NS-2   | 2024-06-12 09:50:00 | V    | ut     | emv       |
      | NS-1   | 2024-06-12 09:20:00 | V    | asd    | emv       |
    And it is 2024-06-13 04:00
    Then the upload held 6 taps, of which 6 new
    And the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs      | fare  |
      | 1       | asd>ut    | €8.56 |
      | 2       | ut>uithof | €2.81 |
    And the journeys of card "A" are:
      | journey | legs    | fare  |
      | 1       | asd>dam | €1.25 |
    When operator "NS" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's total is €8.56
    When travel day 2024-06-12 is settled
    Then operator "NS" is credited €8.56
    And operator "QBZ" is credited €2.81
    And operator "GVB" is credited €1.25

  @GBO-04 @role:service-provider
  Scenario: The taps arrive shuffled over three uploads, some of them twice
    When the back office receives these taps:
      | tap    | at                  | card | reader | kind      |
      | QBZ-1  | 2024-06-12 09:55:00 | V    | q-ut   | emv       |
      | GVB-2  | 2024-06-12 11:06:00 | A    | t-dam  | check-out |
      | NS-2   | 2024-06-12 09:50:00 | V    | ut     | emv       |
    And the back office receives these taps:
      | tap    | at                  | card | reader | kind      |
      | NS-2   | 2024-06-12 09:50:00 | V    | ut     | emv       |
      | QBZ-2  | 2024-06-12 10:10:00 | V    | q-usp  | emv       |
      | NS-1   | 2024-06-12 09:20:00 | V    | asd    | emv       |
      | GVB-1  | 2024-06-12 11:00:00 | A    | t-asd  | check-in  |
    Then the upload held 4 taps, of which 3 new
    When the back office receives these taps:
      | tap    | at                  | card | reader | kind      |
      | NS-1   | 2024-06-12 09:20:00 | V    | asd    | emv       |
      | NS-2   | 2024-06-12 09:50:00 | V    | ut     | emv       |
      | QBZ-1  | 2024-06-12 09:55:00 | V    | q-ut   | emv       |
      | QBZ-2  | 2024-06-12 10:10:00 | V    | q-usp  | emv       |
      | GVB-1  | 2024-06-12 11:00:00 | A    | t-asd  | check-in  |
      | GVB-2  | 2024-06-12 11:06:00 | A    | t-dam  | check-out |
    And it is 2024-06-13 04:00
    Then the upload held 6 taps, of which 0 new
    And the back office has received 6 taps
    And the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs      | fare  |
      | 1       | asd>ut    | €8.56 |
      | 2       | ut>uithof | €2.81 |
    And the journeys of card "A" are:
      | journey | legs    | fare  |
      | 1       | asd>dam | €1.25 |
    When operator "NS" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's total is €8.56
    When travel day 2024-06-12 is settled
    Then operator "NS" is credited €8.56
    And operator "QBZ" is credited €2.81
    And operator "GVB" is credited €1.25

  @GBO-04 @TAP-08 @role:service-provider @capability:offline-readers
  Scenario Outline: Two offline NS readers upload in either order, one of them twice
    Given reader "asd" is offline
    And reader "ut" is offline
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 09:55:00 | q-ut   |
      | 2024-06-12 10:10:00 | q-usp  |
    And reader "<first>" comes back online
    And reader "<second>" comes back online
    And reader "<first>" sends its last upload again
    And it is 2024-06-13 04:00
    Then the upload held 1 tap, of which 0 new
    And the back office has received 4 taps
    And the back office qualified the taps of card "V" as: tap-in,tap-out,tap-in,tap-out
    And the journeys of card "V" are:
      | journey | legs      | fare  |
      | 1       | asd>ut    | €8.56 |
      | 2       | ut>uithof | €2.81 |
    When operator "NS" asks for its report of 2024-06-12
    Then the report's trips are:
      | from | to | status    | fare  |
      | asd  | ut | completed | €8.56 |

    Examples:
      | first | second |
      | asd   | ut     |
      | ut    | asd    |
