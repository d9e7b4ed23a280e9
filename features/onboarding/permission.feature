Feature: Permission to connect (ONB-03)
  Passing all three audits yields the final permission to connect; until then the decision says
  which phase holds it up and why. A failed audit blocks the next phase. A passed audit needs
  clean evidence: a suite run it references must be of the participant's own profile, have run
  at least one scenario and have no failing scenario; the set-up and integration audits need
  such a run, the pilot audit judges the production trial and may do without. A failed audit
  may reference a failing run: its failures are what it found. The plan has an expected end
  date; the lead time is about six months to a year, so an expected end outside 6–12 calendar
  months after the start is flagged, not refused.

  @ONB-03 @ONB-02
  Scenario Outline: Passing all three audits grants the permission to connect
    Given "<participant>", a <organisation>, starts onboarding as a <role> on 2025-01-06 with an expected end date of 2025-10-31
    When the set-up audit of "<participant>" on 2025-03-28 passes with 40 of 40 scenarios passed
    And "<participant>" tries to start the pilot phase on 2025-03-31
    Then the onboarding refuses: previous-audit-not-passed
    When "<participant>" starts the integration phase on 2025-03-31
    And the integration audit of "<participant>" on 2025-06-27 passes with 40 of 40 scenarios passed
    Then permission to connect is not yet granted to "<participant>": "2 of 3 audits passed; phase 3 (pilot) has not started (the previous audit passed on 2025-06-27)"
    When "<participant>" starts the pilot phase on 2025-06-30
    And the pilot audit of "<participant>" on 2025-09-26 passes: "pilot with test users: no findings"
    Then permission to connect is granted to "<participant>" on 2025-09-26

    @role:seller
    Examples: a seller
      | participant | organisation | role   |
      | Kiosk BV    | retailer     | seller |

    @role:service-provider
    Examples: a service provider
      | participant | organisation              | role             |
      | RET         | public transport operator | service provider |

    @role:business-card
    Examples: a business-card provider
      | participant | organisation     | role                   |
      | Lease BV    | mobility company | business-card provider |

    @role:product-director
    Examples: a product director
      | participant | organisation              | role             |
      | NS          | public transport operator | product director |

  @ONB-03 @role:seller
  Scenario: Two of three audits passed and the pilot running: not yet, its audit is pending
    Given "Kiosk BV", a retailer, went through onboarding as a seller with an expected end date of 2025-10-31:
      | phase       | started    | audit passed |
      | set-up      | 2025-01-06 | 2025-03-28   |
      | integration | 2025-03-31 | 2025-06-27   |
      | pilot       | 2025-06-30 |              |
    Then permission to connect is not yet granted to "Kiosk BV": "2 of 3 audits passed; phase 3 (pilot) started on 2025-06-30 and has no audit yet"

  @ONB-03 @role:seller
  Scenario: A failed pilot audit withholds the permission with its findings; a re-audit grants it
    Given "Kiosk BV", a retailer, went through onboarding as a seller with an expected end date of 2025-10-31:
      | phase       | started    | audit passed |
      | set-up      | 2025-01-06 | 2025-03-28   |
      | integration | 2025-03-31 | 2025-06-27   |
      | pilot       | 2025-06-30 |              |
    When the pilot audit of "Kiosk BV" on 2025-09-26 fails: "test users could not top up at the kiosk"
    Then permission to connect is not yet granted to "Kiosk BV": "2 of 3 audits passed; phase 3 (pilot) failed its audit on 2025-09-26 (test users could not top up at the kiosk) and needs a re-audit"
    When the pilot audit of "Kiosk BV" on 2025-10-10 passes: "fix deployed; 25 test users, no findings"
    Then permission to connect is granted to "Kiosk BV" on 2025-10-10

  @ONB-03 @ONB-02 @role:service-provider
  Scenario: A failed audit blocks the next phase and the permission
    Given "RET", a public transport operator, starts onboarding as a service provider on 2025-01-06 with an expected end date of 2025-10-31
    When the set-up audit of "RET" on 2025-03-28 fails with 118 of 120 scenarios passed, failing TAP-03 and TAP-08: "readers: anti-passback and offline upload"
    And "RET" tries to start the integration phase on 2025-03-31
    Then the onboarding refuses: previous-audit-not-passed
    And permission to connect is not yet granted to "RET": "0 of 3 audits passed; phase 1 (set-up of organisation, processes and systems) failed its audit on 2025-03-28 (readers: anti-passback and offline upload) and needs a re-audit"
    When the set-up audit of "RET" on 2025-04-11 passes with 120 of 120 scenarios passed
    And "RET" starts the integration phase on 2025-04-14
    Then "RET" is in the integration phase since 2025-04-14

  @ONB-03 @role:seller
  Scenario: A passed audit is refused when its evidence has failing scenarios
    Given "Kiosk BV", a retailer, starts onboarding as a seller on 2025-01-06 with an expected end date of 2025-10-31
    When the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-28 with 38 of 40 scenarios passed, failing TAP-03 and CARD-02
    Then the onboarding refuses: evidence-has-failures
    And the onboarding's refusal says "its evidence has failures (2 of 40 scenarios did not pass; failing rules: CARD-02, TAP-03)"
    And "Kiosk BV" has 0 audits of the set-up phase
    When the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-28 with 39 of 40 scenarios passed
    Then the onboarding refuses: evidence-has-failures
    And the onboarding's refusal says "failing rules: none named"
    When the set-up audit of "Kiosk BV" on 2025-03-28 passes with 40 of 40 scenarios passed
    Then the set-up phase of "Kiosk BV" passed its audit on 2025-03-28

  @ONB-03 @role:seller
  Scenario: A passed audit needs a run of the participant's own profile that ran something
    Given "Kiosk BV", a retailer, starts onboarding as a seller on 2025-01-06 with an expected end date of 2025-10-31
    When the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-28 with 120 of 120 service-provider scenarios passed
    Then the onboarding refuses: evidence-of-other-role
    And the onboarding's refusal says "its evidence ran the service provider profile, not the seller profile"
    When the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-28 with 0 of 0 scenarios passed
    Then the onboarding refuses: evidence-empty
    When the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-28: "the organisation looks ready"
    Then the onboarding refuses: evidence-missing
    And "Kiosk BV" has 0 audits of the set-up phase

  @ONB-03 @role:seller
  Scenario Outline: The plan's expected end lies 6 to 12 months after its start, or is flagged
    Given "Kiosk BV", a retailer, starts onboarding as a seller on <start> with an expected end date of <end>
    Then the plan of "Kiosk BV" is <verdict>
    And "Kiosk BV" is in the set-up phase since <start>

    Examples: both boundaries, one day inside and one day outside; month ends clamp
      | start      | end        | verdict                                                                                                            |
      | 2025-01-06 | 2025-07-05 | flagged: "the expected end 2025-07-05 is less than 6 months after the start 2025-01-06 (earliest 2025-07-06)"   |
      | 2025-01-06 | 2025-07-06 | within the lead time                                                                                               |
      | 2025-01-06 | 2026-01-06 | within the lead time                                                                                               |
      | 2025-01-06 | 2026-01-07 | flagged: "the expected end 2026-01-07 is more than 12 months after the start 2025-01-06 (latest 2026-01-06)"    |
      | 2025-08-31 | 2026-02-28 | within the lead time                                                                                               |

  @ONB-03 @role:seller
  Scenario: A plan whose expected end is not after its start is refused
    When "Kiosk BV", a retailer, tries to start onboarding as a seller on 2025-01-06 with an expected end date of 2025-01-06
    Then the onboarding refuses: plan-end-not-after-start
    And the onboarding's refusal says "the plan's expected end 2025-01-06 is not after its start 2025-01-06"
