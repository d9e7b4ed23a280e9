@role:backoffice @role:service-provider
Feature: Products and their windows, product priority, Sentire (FARE-07, FARE-08, FARE-10)
  FARE-07: a product's benefit is decided by the first check-in for the whole journey:
  Dal Vrij (free off-peak), Weekend Vrij (free Fri 18:30 – Mon 04:00 and holidays, 40 % off
  other off-peak), Dal Voordeel (40 % off-peak), Altijd Voordeel (20 % peak, 40 % off-peak),
  Altijd Vrij (free), Traject Vrij (free on its route, here Utrecht C. – Amersfoort C.; 40 %
  off-peak elsewhere). Seed example: Weekend Vrij, check-in Friday 18:15 → full fare for the
  whole journey.
  FARE-08: when products conflict the higher priority applies: Altijd Korting before a regional
  discount product.
  FARE-10: Sentire's benefit is the reduced boarding fee €1.20; it is what a missing check-out
  keeps.

  Fares (FARE-11: discounts round half away from zero):
    NS Amsterdam C. → Utrecht C. 36 km: €1.00 + 36 × €0.21 = €8.56;
      20 % off: €6.848 → €6.85; 40 % off: €5.136 → €5.14
    NS Amsterdam C. → Utrecht C. → Amersfoort C. 58 km: €1.00 + €8.40 + 18 × €0.18 = €12.64
    NS Utrecht C. → Amersfoort C. 22 km: €1.00 + 22 × €0.21 = €5.62
    GVB tram Amsterdam C. → Dam 0.9 km: €1.08 + €0.17 = €1.25;
      20 % off: €1.00; 40 % off: €0.75

  Background:
    Given it is 2024-06-01 05:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €30.00
    And an NS train pole "asd" at "Amsterdam Centraal"
    And an NS train pole "ut" at "Utrecht Centraal"
    And an NS train pole "ut-2" at "Utrecht Centraal"
    And an NS train pole "amf" at "Amersfoort Centraal"
    And a GVB tram on-board reader "t-asd" at "Amsterdam Centraal" in vehicle "tram-2041"
    And a GVB tram on-board reader "t-dam" at "Dam" in vehicle "tram-2041"
    And a HTM tram on-board reader "h-spui" at "Spui" in vehicle "tram-3001"

  @FARE-07
  Scenario Outline: Rail subscriptions at peak and off-peak (Wednesday 08:00 and 10:00)
    Given card "P" carries product "<product>"
    When card "P" taps at these readers:
      | at    | reader |
      | <in>  | asd    |
      | <out> | ut     |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs   | fare   | category   | product   |
      | 1       | asd>ut | <fare> | <category> | <product> |
    And journey 1 of card "P" has a discount of <discount> %

    Examples:
      | product         | in                  | out                 | category | discount | fare  |
      | dal-vrij        | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | peak     | 0        | €8.56 |
      | dal-vrij        | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | off-peak | 100      | €0.00 |
      | dal-voordeel    | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | peak     | 0        | €8.56 |
      | dal-voordeel    | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | off-peak | 40       | €5.14 |
      | altijd-voordeel | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | peak     | 20       | €6.85 |
      | altijd-voordeel | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | off-peak | 40       | €5.14 |
      | altijd-vrij     | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | peak     | 100      | €0.00 |
      | altijd-vrij     | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | off-peak | 100      | €0.00 |

  @FARE-07
  Scenario Outline: Weekend Vrij: free from Friday 18:30 to Monday 04:00 and on holidays, 40 % other off-peak
    Given card "P" carries product "weekend-vrij"
    When card "P" taps at these readers:
      | at    | reader |
      | <in>  | asd    |
      | <out> | ut     |
    And it is 2024-12-31 04:00
    Then the journeys of card "P" are:
      | journey | legs   | fare   | category   | product      |
      | 1       | asd>ut | <fare> | <category> | weekend-vrij |

    Examples:
      | in                  | out                 | when                    | category | fare  |
      | 2024-06-14 18:15:00 | 2024-06-14 18:45:00 | Friday, peak            | peak     | €8.56 |
      | 2024-06-14 18:30:00 | 2024-06-14 19:00:00 | Friday, window opens    | off-peak | €0.00 |
      | 2024-06-15 10:00:00 | 2024-06-15 10:30:00 | Saturday                | off-peak | €0.00 |
      | 2024-06-17 03:59:59 | 2024-06-17 04:30:00 | Monday, window closes   | off-peak | €0.00 |
      | 2024-06-17 04:00:00 | 2024-06-17 04:30:00 | Monday, window closed   | off-peak | €5.14 |
      | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | Wednesday off-peak      | off-peak | €5.14 |
      | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | Wednesday peak          | peak     | €8.56 |
      | 2024-12-25 08:00:00 | 2024-12-25 08:30:00 | Wednesday, 1e Kerstdag  | off-peak | €0.00 |

  # Seed 003: "als men iets eerder, bijvoorbeeld om 18.15, heeft ingecheckt, moet men voor de
  # hele reis het volle tarief betalen": the transfer at Utrecht after 18:30 changes nothing.
  @FARE-07 @FARE-05
  Scenario Outline: Weekend Vrij: the first check-in decides for the whole journey (seed example)
    Given card "P" carries product "weekend-vrij"
    When card "P" taps at these readers:
      | at          | reader |
      | <in>        | asd    |
      | <out>       | ut     |
      | <transfer>  | ut-2   |
      | <end>       | amf    |
    And it is 2024-06-15 04:00
    Then the journeys of card "P" are:
      | journey | legs           | fare   | category   |
      | 1       | asd>ut, ut>amf | <fare> | <category> |

    Examples:
      | in                  | out                 | transfer            | end                 | category | fare   |
      | 2024-06-14 18:15:00 | 2024-06-14 18:45:00 | 2024-06-14 18:50:00 | 2024-06-14 19:10:00 | peak     | €12.64 |
      | 2024-06-14 18:30:00 | 2024-06-14 19:00:00 | 2024-06-14 19:05:00 | 2024-06-14 19:25:00 | off-peak | €0.00  |

  @FARE-07
  Scenario Outline: Traject Vrij: free on its route at any time, 40 % off-peak elsewhere
    Given card "P" carries product "traject-vrij"
    When card "P" taps at these readers:
      | at    | reader |
      | <in>  | <from> |
      | <out> | <to>   |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs   | fare   | category   | product      |
      | 1       | <legs> | <fare> | <category> | traject-vrij |

    Examples:
      | from | to  | in                  | out                 | legs   | category | fare  |
      | ut   | amf | 2024-06-12 08:00:00 | 2024-06-12 08:20:00 | ut>amf | peak     | €0.00 |
      | amf  | ut  | 2024-06-12 17:00:00 | 2024-06-12 17:20:00 | amf>ut | peak     | €0.00 |
      | ut   | amf | 2024-06-12 11:00:00 | 2024-06-12 11:20:00 | ut>amf | off-peak | €0.00 |
      | asd  | ut  | 2024-06-12 08:00:00 | 2024-06-12 08:30:00 | asd>ut | peak     | €8.56 |
      | asd  | ut  | 2024-06-12 10:00:00 | 2024-06-12 10:30:00 | asd>ut | off-peak | €5.14 |

  # Altijd Korting (priority 20, 20 % always) and the regional off-peak discount (priority 10,
  # 40 % off-peak) on one card: Altijd Korting applies although the other would give more:
  # €1.25 × 0.8 = €1.00. With the regional product alone: €1.25 × 0.6 = €0.75.
  @FARE-08
  Scenario: Altijd Korting takes precedence over a regional discount product
    Given card "P" carries product "regio-korting"
    And card "P" carries product "altijd-korting"
    And a personal card "R" of a traveller born on 1990-05-01
    And card "R" has a balance of €10.00
    And card "R" carries product "regio-korting"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:06:00 | t-dam  |
    And card "R" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:10:00 | t-asd  |
      | 2024-06-12 10:16:00 | t-dam  |
    And it is 2024-06-13 04:00
    Then the journeys of card "P" are:
      | journey | legs    | fare  | category | product        |
      | 1       | asd>dam | €1.00 | off-peak | altijd-korting |
    And journey 1 of card "P" has a discount of 20 %
    And the journeys of card "R" are:
      | journey | legs    | fare  | category | product       |
      | 1       | asd>dam | €0.75 | off-peak | regio-korting |

  # The order in which the products were loaded does not matter: priority decides.
  @FARE-08
  Scenario: Priority, not loading order, picks the product
    Given card "P" carries product "altijd-korting"
    And card "P" carries product "regio-korting"
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | t-asd  |
      | 2024-06-12 10:06:00 | t-dam  |
    And it is 2024-06-13 04:00
    Then journey 1 of card "P" costs €1.00
    And journey 1 of card "P" applies product "altijd-korting"

  # A rail journey is out of Altijd Korting's scope (bus, tram, metro): full fare, no product.
  @FARE-08
  Scenario: A bus/tram/metro product does not apply to a rail journey
    Given card "P" carries product "altijd-korting"
    And card "P" is loaded with €5.00 at an NS machine
    When card "P" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | asd    |
      | 2024-06-12 10:30:00 | ut     |
    And it is 2024-06-13 04:00
    Then journey 1 of card "P" costs €8.56
    And journey 1 of card "P" applies no product

  # FARE-10 / JRN-07: without a check-out the back office keeps the deposit the reader took,
  # which for a Sentire holder is the reduced boarding fee €1.20, not HTM's €4.00.
  @FARE-10 @JRN-07
  Scenario: A Sentire holder's missing check-out keeps only the reduced boarding fee
    Given a personal card "S" of a traveller born on 1970-05-01
    And card "S" has a balance of €10.00
    And card "S" carries product "sentire"
    When card "S" taps at these readers:
      | at                  | reader |
      | 2024-06-12 10:00:00 | h-spui |
    And it is 2024-06-13 04:00
    Then the journeys of card "S" are:
      | journey | legs     | fare  | product |
      | 1       | spui>?   | €1.20 | sentire |
    And leg 1 of journey 1 of card "S" is missing-check-out
    And card "S" has a balance of €8.80
