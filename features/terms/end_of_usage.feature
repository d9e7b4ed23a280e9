@role:backoffice
Feature: The end of the usage right (TERM-12, TERM-04)
  The usage right ends when the card is handed in, the holder's death is reported, the card is
  blocked after loss or theft or for fraud, an authority directs it, the holder rejects changed
  terms in writing, the card expires, or a weighty interest (a defect, security, abuse)
  justifies it. From then on the card is refused; its data stay in the administration and the
  refund right stays — for 12 months (TERM-04) — except in cases of own fault.
  Interpretations (rule set terms.refund_after_end_months, terms.own_fault_forfeits_refund):
  12 months run to the same local time (exclusive); abuse by the holder is own fault. Every
  end except expiry reaches readers through the deny list; an expired card is refused on its
  own expiry date (CARD-04).

  Background:
    Given it is 2024-06-12 10:00
    And a personal card "P" of a traveller born on 1990-05-01
    And card "P" has a balance of €20.00
    And card "P" carries product "dal-voordeel"
    And a GVB tram on-board reader "in" at "Amsterdam Centraal" in vehicle "tram-2041"

  @TERM-12 @role:reader
  Scenario Outline: Every end of the usage right makes readers refuse the card; its data stay
    When the usage right of card "P" ends: <reason>
    Then the issuer accepts
    And the usage right of card "P" has ended: <reason>
    And readers must refuse card "P"
    And the administration still shows card "P" with €20.00 and 1 product
    When 1 minute passes
    And card "P" taps at "in"
    Then the reader refuses: deny-listed
    And card "P" has a balance of €20.00

    Examples:
      | reason              |
      | handed-in           |
      | holder-died         |
      | lost-or-stolen      |
      | fraud               |
      | authority-directive |
      | defect              |
      | security            |
      | abuse               |

  @TERM-12 @TERM-04 @role:seller
  Scenario Outline: The refund right stays after the end, except own fault
    Given the usage right of card "P" ends: <reason>
    When the holder asks a refund of card "P" at a service point
    Then <result>

    Examples:
      | reason              | result                               |
      | holder-died         | the service point pays €20.00 in cash |
      | authority-directive | the service point pays €20.00 in cash |
      | security            | the service point pays €20.00 in cash |
      | abuse               | the issuer refuses: own-fault        |

  @TERM-12
  Scenario: Abuse by the holder forfeits the refund right
    When the usage right of card "P" ends: abuse
    Then card "P" has no refund right left

  @TERM-04 @role:seller
  Scenario: Refunds stay possible for 12 months after the end, not a moment longer
    Given the usage right of card "P" ends: holder-died
    Then card "P" can be refunded until 2025-06-12 10:00
    When it is 2025-06-12 09:59:59
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €20.00 in cash

  @TERM-04 @role:seller
  Scenario: 12 months after the end the refund right has lapsed
    Given the usage right of card "P" ends: holder-died
    When it is 2025-06-12 10:00
    And the holder asks a refund of card "P" at a service point
    Then the issuer refuses: refund-period-over
    And card "P" has a balance of €20.00

  @TERM-12 @TERM-04 @role:reader
  Scenario: Expiry ends the usage right; the balance can be refunded free for 12 months
    Then card "P" is valid until 2029-06-11
    When it is 2029-06-11 23:59
    Then the usage right of card "P" is active
    When it is 2029-06-12 00:00
    Then the usage right of card "P" has ended: expired
    And card "P" can be refunded until 2030-06-12 00:00
    When card "P" taps at "in"
    Then the reader refuses: expired
    When it is 2030-06-11 23:59
    And the holder asks a refund of card "P" at a service point
    Then the service point pays €20.00 in cash
    And the refund's admin fee is €0.00

  @TERM-12
  Scenario: Expiry and an objection have their own timing, not a declaration
    When the usage right of card "P" ends: expired
    Then the issuer refuses: not-by-declaration
    When the usage right of card "P" ends: changed-terms-rejected
    Then the issuer refuses: not-by-declaration
