@role:backoffice @role:service-provider
Feature: Rail fares: degressive over the whole journey, with a maximum (FARE-04)
  The rail fare is distance-based and degressive (long-distance discount, LAK) over the whole
  journey, including legs with other rail operators; a journey costs at most the maximum fare,
  and once that is reached further legs of the same journey add nothing. Each operator is
  credited its part of the journey fare in proportion to its distance (GBO-02).

  nl-2024: €1.00 per journey plus, over the journey's total km, €0.21/km for 0–40 km,
  €0.18 for 40–80, €0.14 for 80–100, €0.10 for 100–200, €0.06 beyond; maximum €30.00.
    0–100 km in full: €8.40 + €7.20 + €2.80 = €18.40; 0–200 km: €18.40 + €10.00 = €28.40.

  Background:
    Given a bank card "V"
    And a bank card "W"
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "gn" at "Groningen"
    And an NS train pole "mt" at "Maastricht"
    And an NS train pole "dv-ns" at "Deventer"
    And an NS train pole "zl-ns" at "Zwolle"
    And a KEO train pole "zl-keo" at "Zwolle"
    And a KEO train pole "aml-keo" at "Almelo"
    And a KEO train pole "es-keo" at "Enschede"

  # NS Deventer → Zwolle 38 km, KEO Zwolle → Almelo 50 km: one journey of 88 km,
  # €1.00 + €8.40 + €7.20 + 8 × €0.14 = €17.72.
  # Shares by distance: NS 38/88 × €17.72 = €7.6518 → €7.65; KEO 50/88 × €17.72 = €10.0682 →
  # €10.06, and the cent left goes to the larger remainder (KEO): €10.07.
  @FARE-04
  Scenario: NS and Keolis legs of one journey are priced over their total distance
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | dv-ns   |
      | 2024-06-12 10:25:00 | zl-ns   |
      | 2024-06-12 10:35:00 | zl-keo  |
      | 2024-06-12 11:10:00 | aml-keo |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs          | fare   |
      | 1       | dv>zl, zl>aml | €17.72 |
    And journey 1 of card "V" credits "NS" with €7.65
    And journey 1 of card "V" credits "KEO" with €10.07

  # Separately: NS 38 km €1.00 + 38 × €0.21 = €8.98; KEO 50 km €1.00 + €8.40 + 10 × €0.18 =
  # €11.20; together €20.18 instead of €17.72.
  @FARE-04
  Scenario: The same legs as two journeys (35:01 apart) cost more
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | dv-ns   |
      | 2024-06-12 10:25:00 | zl-ns   |
      | 2024-06-12 11:00:01 | zl-keo  |
      | 2024-06-12 11:35:00 | aml-keo |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs   | fare   |
      | 1       | dv>zl  | €8.98  |
      | 2       | zl>aml | €11.20 |

  # Amsterdam C. → Groningen 216 km: €28.40 + 16 × €0.06 = €29.36 + €1.00 = €30.36 → €30.00.
  @FARE-04 @FARE-11
  Scenario: A long journey costs the maximum fare
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 12:20:00 | gn     |
    And it is 2024-06-13 04:00
    Then journey 1 of card "V" costs €30.00
    And journey 1 of card "V" has a maximum of €30.00

  # NS Maastricht → Zwolle 258 km (via Eindhoven, Utrecht, Amersfoort):
  # €1.00 + €28.40 + 58 × €0.06 = €32.88 → €30.00, the maximum.
  # Continuing with Keolis Zwolle → Enschede (73 km, 331 km in all) adds nothing: €30.00.
  # Shares: NS 258/331 × €30.00 = €23.3837 → €23.38; KEO 73/331 × €30.00 = €6.6163 → €6.61 + the
  # cent left (larger remainder) = €6.62.
  @FARE-04
  Scenario: Once the maximum is reached, a further leg of the same journey costs nothing more
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | mt     |
      | 2024-06-12 12:50:00 | zl-ns  |
    And bank card "W" taps at these readers:
      | at                  | reader |
      | 2024-06-12 13:00:00 | mt     |
      | 2024-06-12 15:50:00 | zl-ns  |
      | 2024-06-12 16:00:00 | zl-keo |
      | 2024-06-12 16:45:00 | es-keo |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs  | fare   |
      | 1       | mt>zl | €30.00 |
    And the journeys of card "W" are:
      | journey | legs         | fare   |
      | 1       | mt>zl, zl>es | €30.00 |
    And journey 1 of card "W" credits "NS" with €23.38
    And journey 1 of card "W" credits "KEO" with €6.62
