@role:backoffice @role:service-provider
Feature: Bus, tram and metro fares: base fare, km rates, fixed route fares (FARE-01..03)
  FARE-01: a bus/tram/metro fare is the base fare (opstaptarief) plus km × the km rate of the
  region or the line; some routes have a fixed fare, and its two directions may differ.
  FARE-02: the base fare is that of the calendar year of the first check-in (normal / 34 %
  reduced row of the table in seed 003). The rule set is dated: nl-2024 holds the rows back to
  2006, so journeys of 2022 and 2023 use their own rows.
  FARE-03: a transfer within 35 minutes charges no second base fare.

  Rates in nl-2024: GVB tram €0.19/km, QBZ bus and tram €0.17/km, QBZ tram line Uithoflijn 22
  €0.23/km, RET metro €0.20/km, RET Metro E €0.16/km, EBS bus €0.17/km with fixed fares
  Amsterdam C. → Purmerend, Tramplein €4.50 and back €4.30. Km fares round half up to whole
  cents (FARE-11).

  Background:
    Given a bank card "V"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam-2" at "Dam" in vehicle "tram-2107"
    And a GVB tram on-board reader "t-leid" at "Leidseplein" in vehicle "tram-2107"
    And a QBZ tram on-board reader "q-ut" at "Utrecht Centraal" in vehicle "tram-60"
    And a QBZ tram on-board reader "q-usp" at "Utrecht Science Park" in vehicle "tram-60"
    And a QBZ bus on-board reader "qb-ut" at "Utrecht Centraal" in vehicle "bus-12"
    And a QBZ bus on-board reader "qb-usp" at "Utrecht Science Park" in vehicle "bus-12"
    And a RET metro pole "m-rtd" at "Rotterdam Centraal"
    And a RET metro pole "m-beurs" at "Beurs"
    And an EBS bus on-board reader "ebs-asd" at "Amsterdam Centraal" in vehicle "bus-7"
    And an EBS bus on-board reader "ebs-purm" at "Purmerend, Tramplein" in vehicle "bus-7"

  # GVB tram Amsterdam C. → Dam 0.9 km at the region's €0.19: €1.08 + €0.171 → €0.17 = €1.25
  # QBZ tram Utrecht C. → Science Park 7.5 km on Uithoflijn 22 at €0.23: €1.08 + €1.725 → €1.73 = €2.81
  # QBZ bus, same stops, no line of its own, €0.17: €1.08 + €1.275 → €1.28 = €2.36
  # RET metro Rotterdam C. → Beurs 1.3 km on Metro E at €0.16: €1.08 + €0.208 → €0.21 = €1.29
  #   (at the service's €0.20 it would be €1.08 + €0.26 = €1.34)
  @FARE-01 @FARE-11
  Scenario Outline: Base fare plus km at the rate of the region or of the line
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | <in>   |
      | 2024-06-12 10:20:00 | <out>  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs   | fare   |
      | 1       | <legs> | <fare> |

    Examples:
      | in    | out     | legs        | fare  |
      | t-asd | t-dam   | asd>dam     | €1.25 |
      | q-ut  | q-usp   | ut>uithof   | €2.81 |
      | qb-ut | qb-usp  | ut>uithof   | €2.36 |
      | m-rtd | m-beurs | rtd>beurs   | €1.29 |

  # EBS Amsterdam C. → Purmerend 17 km: the km fare would be €1.08 + 17 × €0.17 = €3.97; the
  # fixed fares are €4.50 outward and €4.30 back.
  @FARE-01
  Scenario: A fixed route fare whose two directions differ
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 08:00:00 | ebs-asd  |
      | 2024-06-12 08:30:00 | ebs-purm |
      | 2024-06-12 17:00:00 | ebs-purm |
      | 2024-06-12 17:30:00 | ebs-asd  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs         | fare  |
      | 1       | asd>purm-tp  | €4.50 |
      | 2       | purm-tp>asd  | €4.30 |

  # Same stop in and out (JRN-06): the km part is 0, so the fare is the base fare of the year of
  # the first check-in: 2022 €1.01 (reduced €0.67), 2023 €1.08 (reduced €0.71). The child (born
  # 2015-03-01, 7 years old) takes the reduced row (CARD-06). The year is that of the check-in's
  # calendar date, not of its travel day: a check-in at 00:00 on 1 January still belongs to the
  # travel day of 31 December (EMV-07, until 03:05) but pays the 2023 base fare.
  @FARE-02
  Scenario Outline: The base fare is that of the year of the first check-in
    Given it is 2022-12-31 20:00
    And a personal card "C" of a traveller born on 2015-03-01
    And card "C" has a balance of €10.00
    When it is <in>
    And bank card "V" taps at "t-dam"
    And card "C" taps at "t-dam-2"
    Then the reader checks the card in
    When it is <out>
    And bank card "V" taps at "t-dam"
    And card "C" taps at "t-dam-2"
    Then the reader checks the card out
    When it is 2023-01-02 04:00
    Then the journeys of card "V" are:
      | journey | legs    | fare     | day   |
      | 1       | dam>dam | <normal> | <day> |
    And the journeys of card "C" are:
      | journey | legs    | fare      | day   |
      | 1       | dam>dam | <reduced> | <day> |

    Examples:
      | in                  | out                 | day        | normal | reduced |
      | 2022-12-31 23:59:59 | 2023-01-01 00:02:00 | 2022-12-31 | €1.01  | €0.67   |
      | 2023-01-01 00:00:00 | 2023-01-01 00:02:00 | 2022-12-31 | €1.08  | €0.71   |

  # The 2022 row also holds for the km part on top: GVB Amsterdam C. → Dam on 2022-12-31:
  # €1.01 + €0.17 = €1.18; on 2023-01-01: €1.08 + €0.17 = €1.25.
  @FARE-02
  Scenario Outline: A whole journey is priced with the base fare of its first check-in's year
    When bank card "V" taps at these readers:
      | at    | reader |
      | <in>  | t-asd  |
      | <out> | t-dam  |
    And it is 2023-01-02 04:00
    Then journey 1 of card "V" costs <fare>

    Examples:
      | in                  | out                 | fare  |
      | 2022-12-31 23:58:00 | 2023-01-01 00:04:00 | €1.18 |
      | 2023-01-01 00:00:00 | 2023-01-01 00:06:00 | €1.25 |

  # Amsterdam C. → Dam 0.9 km (€0.17), then Dam → Leidseplein 1.6 km (€0.304 → €0.30) in
  # another tram: one base fare, €1.08 + €0.17 + €0.30 = €1.55.
  @FARE-03
  Scenario: A tram transfer within 35 minutes charges no second base fare
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | t-asd   |
      | 2024-06-12 10:06:00 | t-dam   |
      | 2024-06-12 10:41:00 | t-dam-2 |
      | 2024-06-12 10:47:00 | t-leid  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                  | fare  |
      | 1       | asd>dam, dam>leidsepl | €1.55 |

  # 35:01 after the check-out the tram is a new journey with its own base fare:
  # €1.25 + (€1.08 + €0.30) = €1.25 + €1.38 = €2.63 instead of €1.55.
  @FARE-03
  Scenario: After the transfer window the next tram pays a base fare again
    When bank card "V" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | t-asd   |
      | 2024-06-12 10:06:00 | t-dam   |
      | 2024-06-12 10:41:01 | t-dam-2 |
      | 2024-06-12 10:47:00 | t-leid  |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs         | fare  |
      | 1       | asd>dam      | €1.25 |
      | 2       | dam>leidsepl | €1.38 |

  # GVB tram Dam → Amsterdam C. €1.08 + €0.17, then EBS bus to Purmerend on its fixed fare
  # €4.50, which includes a base fare: its part is €4.50 − €1.08 = €3.42. One base fare:
  # €1.08 + €0.17 + €3.42 = €4.67; GVB is credited €1.25, EBS €3.42 (GBO-02).
  @FARE-03 @FARE-01
  Scenario: From a GVB tram to an EBS bus on a fixed fare: one base fare for both
    When bank card "V" taps at these readers:
      | at                  | reader   |
      | 2024-06-12 09:20:00 | t-dam    |
      | 2024-06-12 09:26:00 | t-asd    |
      | 2024-06-12 09:40:00 | ebs-asd  |
      | 2024-06-12 10:05:00 | ebs-purm |
    And it is 2024-06-13 04:00
    Then the journeys of card "V" are:
      | journey | legs                 | fare  |
      | 1       | dam>asd, asd>purm-tp | €4.67 |
    And journey 1 of card "V" credits "GVB" with €1.25
    And journey 1 of card "V" credits "EBS" with €3.42

  # Both trams off-peak under the same regional off-peak discount (40 %): one base fare, the
  # discount on the whole: €1.55 × 0.6 = €0.93.
  @FARE-03 @FARE-07
  Scenario: Both legs under the same discount: one base fare, discounted once
    Given it is 2024-06-12 07:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €10.00
    And card "P" carries product "regio-korting"
    When card "P" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 10:00:00 | t-asd   |
      | 2024-06-12 10:06:00 | t-dam   |
      | 2024-06-12 10:20:00 | t-dam-2 |
      | 2024-06-12 10:26:00 | t-leid  |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs                  | fare  | category | product       |
      | 1       | asd>dam, dam>leidsepl | €0.93 | off-peak | regio-korting |
    And journey 1 of card "P" has a discount of 40 %

  # FARE-05 / FARE-07: the time category of the first check-in (08:45, peak) holds for the
  # whole journey, so the transfer at 09:05 stays under the same (peak) terms: the off-peak
  # product gives nothing and there is still one base fare: €1.55.
  @FARE-03 @FARE-05
  Scenario: A transfer into the off-peak hours stays under the peak terms of the first check-in
    Given it is 2024-06-12 07:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €10.00
    And card "P" carries product "regio-korting"
    When card "P" taps at these readers:
      | at                  | reader  |
      | 2024-06-12 08:45:00 | t-asd   |
      | 2024-06-12 08:51:00 | t-dam   |
      | 2024-06-12 09:05:00 | t-dam-2 |
      | 2024-06-12 09:11:00 | t-leid  |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs                  | fare  | category |
      | 1       | asd>dam, dam>leidsepl | €1.55 | peak     |
    And journey 1 of card "P" has a discount of 0 %
