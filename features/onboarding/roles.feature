Feature: Participant roles and their conformance profiles (ONB-01)
  A participant joins the OV-chipkaart system in one of four roles: seller (action deliverer,
  product seller, card distributor, load agent), service provider (public transport operators
  only), business-card provider (mobility companies) and product director. Each role has its
  own conformance profile: the scenarios that carry any of the profile's `@role:` tags. An
  operator runs readers, so the service-provider profile takes in `@role:reader`; its
  back-office interfaces are the scenarios tagged both `@role:backoffice` and
  `@role:service-provider`. Scenarios tagged `@role:backoffice` alone concern the central back
  office, which is the central system's own. A participant has exactly one role per onboarding:
  another role is another onboarding, from the first phase.

  @ONB-01 @role:seller @role:service-provider @role:business-card @role:product-director
  Scenario: Four roles, each with its own profile
    Then the onboarding roles are:
      | role             | name                   | name (nl)               | profile                           |
      | seller           | seller                 | Verkoper                | role:seller                       |
      | service-provider | service provider       | Dienstverlener          | role:service-provider role:reader |
      | business-card    | business-card provider | Bedrijvenkaartaanbieder | role:business-card                |
      | product-director | product director       | Productregisseur        | role:product-director             |

  @ONB-01 @role:seller
  Scenario: A seller is an action deliverer, product seller, card distributor or load agent
    Then the seller role covers "action deliverer, product seller, card distributor, load agent"

  @ONB-01 @role:seller @role:service-provider @role:business-card @role:product-director
  Scenario Outline: A scenario belongs to the profiles whose tags it carries
    Then a scenario tagged "<tags>" is in the profiles of: "<profiles>"

    Examples:
      | tags                                    | profiles                 |
      | @role:seller                            | seller                   |
      | @role:reader                            | service provider         |
      | @role:backoffice @role:service-provider | service provider         |
      | @role:backoffice                        | none                     |
      | @role:business-card                     | business-card provider   |
      | @role:product-director                  | product director         |
      | @role:seller @role:reader               | seller, service provider |

  @ONB-01 @role:service-provider
  Scenario: Only public transport operators can become service providers
    When "Deelauto BV", a mobility company, tries to start onboarding as a service provider on 2025-01-06 with an expected end date of 2025-10-31
    Then the onboarding refuses: not-eligible
    And the onboarding's refusal says "Deelauto BV cannot onboard as a service provider: the role is open to public transport operators only, and Deelauto BV is a mobility company"
    When "RET", a public transport operator, starts onboarding as a service provider on 2025-01-06 with an expected end date of 2025-10-31
    Then "RET" is in the set-up phase since 2025-01-06

  @ONB-01 @role:business-card
  Scenario: Business-card providers are mobility companies
    When "Kiosk BV", a retailer, tries to start onboarding as a business-card provider on 2025-01-06 with an expected end date of 2025-10-31
    Then the onboarding refuses: not-eligible
    And the onboarding's refusal says "open to mobility companies and public transport operators only"
    When "Lease BV", a mobility company, starts onboarding as a business-card provider on 2025-01-06 with an expected end date of 2025-10-31
    Then "Lease BV" is in the set-up phase since 2025-01-06

  @ONB-01 @role:product-director
  Scenario: A product director onboards with its own profile
    When "NS", a public transport operator, starts onboarding as a product director on 2025-01-06 with an expected end date of 2025-10-31
    Then "NS" is in the set-up phase as a product director since 2025-01-06
    When the auditor tries to pass the set-up audit of "NS" on 2025-03-28 with 120 of 120 service-provider scenarios passed
    Then the onboarding refuses: evidence-of-other-role
    When the set-up audit of "NS" on 2025-03-28 passes with 12 of 12 product-director scenarios passed
    Then the set-up phase of "NS" passed its audit on 2025-03-28

  @ONB-01 @role:business-card @role:seller
  Scenario: A change of role is a new onboarding, from the first phase
    Given "Lease BV", a mobility company, went through onboarding as a business-card provider with an expected end date of 2025-10-31:
      | phase       | started    | audit passed |
      | set-up      | 2025-01-06 | 2025-03-28   |
      | integration | 2025-03-31 | 2025-06-27   |
      | pilot       | 2025-06-30 | 2025-09-26   |
    When "Lease BV" starts onboarding as a seller on 2025-11-03 with an expected end date of 2026-06-30
    Then "Lease BV" is in the set-up phase as a seller since 2025-11-03
    And "Lease BV" has no permission to connect as a seller yet
    And "Lease BV" still has permission to connect as a business-card provider since 2025-09-26
