Feature: Three onboarding phases, each closed by an audit (ONB-02)
  (1) Set-up of organisation, processes and systems, including certification of the systems by
  an independent institute and an acceptance test of the delivered system; (2) integration and
  acceptance: integration tests on the integration platform and an acceptance test of the data
  flows between the central back office and the participant's system; (3) pilot: a production
  trial with test users only, closed to other travellers. The first phase starts with the
  onboarding. A phase cannot start before the previous phase's audit passed, nor before the day
  it passed. A failed audit keeps the participant in its phase; a re-audit after fixes may pass
  it. Audits are dated no earlier than their phase's start or the phase's previous audit.

  Background:
    Given "Kiosk BV", a retailer, starts onboarding as a seller on 2025-01-06 with an expected end date of 2025-10-31

  @ONB-02 @role:seller @role:service-provider @role:business-card @role:product-director
  Scenario: Three phases with the activities of the onboarding guide
    Then the onboarding phases are:
      | phase | name                                          | name (nl)                                        | suite run required | production      |
      | 1     | set-up of organisation, processes and systems | Inrichten van organisatie, processen en systemen | yes                | closed          |
      | 2     | integration and acceptance                    | Integreren en accepteren                         | yes                | closed          |
      | 3     | pilot                                         | Proef draaien                                    | no                 | test users only |
    And the set-up phase includes "certification of the systems by an independent certification institute"
    And the set-up phase includes "an acceptance test of the delivered system by the participant"
    And the integration phase includes "integration tests on the integration platform"
    And the integration phase includes "an acceptance test of the data flows between the central back office and the participant's system"
    And the pilot phase includes "a production trial for a number of test users"
    And the pilot phase includes "the system stays closed to other travellers"

  @ONB-02 @role:seller
  Scenario: The onboarding starts in the set-up phase on the plan's start date
    Then "Kiosk BV" is in the set-up phase since 2025-01-06
    And the integration phase of "Kiosk BV" has not started
    And the pilot phase of "Kiosk BV" has not started

  @ONB-02 @role:seller
  Scenario: A phase cannot start before the previous phase's audit passed
    When "Kiosk BV" tries to start the integration phase on 2025-03-03
    Then the onboarding refuses: previous-audit-not-passed
    And the onboarding's refusal says "cannot start phase 2 (integration and acceptance): the audit of phase 1 (set-up of organisation, processes and systems) has not passed"
    When "Kiosk BV" tries to start the pilot phase on 2025-03-03
    Then the onboarding refuses: previous-audit-not-passed
    And "Kiosk BV" is in the set-up phase since 2025-01-06
    And the integration phase of "Kiosk BV" has not started

  @ONB-02 @role:seller
  Scenario: A failed audit keeps the participant in its phase; a re-audit after fixes passes it
    When the set-up audit of "Kiosk BV" on 2025-03-03 fails: "staff not yet trained on card distribution"
    Then "Kiosk BV" is in the set-up phase with a failed audit on 2025-03-03
    When "Kiosk BV" tries to start the integration phase on 2025-03-04
    Then the onboarding refuses: previous-audit-not-passed
    And the onboarding's refusal says "(its last audit failed on 2025-03-03)"
    When the set-up audit of "Kiosk BV" on 2025-03-17 passes with 40 of 40 scenarios passed
    Then the set-up phase of "Kiosk BV" passed its audit on 2025-03-17
    And "Kiosk BV" has 2 audits of the set-up phase
    When "Kiosk BV" starts the integration phase on 2025-03-17
    Then "Kiosk BV" is in the integration phase since 2025-03-17

  @ONB-02 @role:seller
  Scenario: The next phase starts on the day its predecessor's audit passed, not before
    Given the set-up audit of "Kiosk BV" on 2025-03-17 passes with 40 of 40 scenarios passed
    When "Kiosk BV" tries to start the integration phase on 2025-03-16
    Then the onboarding refuses: start-before-previous-audit
    And the onboarding's refusal says "the audit of phase 1 (set-up of organisation, processes and systems) passed only on 2025-03-17"
    When "Kiosk BV" starts the integration phase on 2025-03-17
    Then "Kiosk BV" is in the integration phase since 2025-03-17
    When "Kiosk BV" tries to start the integration phase on 2025-03-18
    Then the onboarding refuses: phase-already-started

  @ONB-02 @role:seller
  Scenario: Only a running phase can be audited, and only until its audit passed
    When the auditor tries to pass the integration audit of "Kiosk BV" on 2025-03-17 with 40 of 40 scenarios passed
    Then the onboarding refuses: phase-not-started
    When the set-up audit of "Kiosk BV" on 2025-03-17 passes with 40 of 40 scenarios passed
    And the auditor tries to fail the set-up audit of "Kiosk BV" on 2025-03-18: "second thoughts"
    Then the onboarding refuses: phase-closed
    And "Kiosk BV" has 1 audit of the set-up phase

  @ONB-02 @role:seller
  Scenario: An audit is dated no earlier than its phase's start or the previous audit
    When the auditor tries to fail the set-up audit of "Kiosk BV" on 2025-01-05: "too early"
    Then the onboarding refuses: audit-too-early
    And the onboarding's refusal says "the phase started on 2025-01-06"
    When the set-up audit of "Kiosk BV" on 2025-03-03 fails: "staff not yet trained"
    And the auditor tries to pass the set-up audit of "Kiosk BV" on 2025-03-02 with 40 of 40 scenarios passed
    Then the onboarding refuses: audit-too-early
    And the onboarding's refusal says "its previous audit was on 2025-03-03"
    When the auditor tries to fail the set-up audit of "Kiosk BV" on 2025-03-03: ""
    Then the onboarding refuses: empty-summary

  @ONB-02 @role:seller
  Scenario: The pilot is open to test users only, closed to other travellers
    Given the set-up audit of "Kiosk BV" on 2025-03-28 passes with 40 of 40 scenarios passed
    And "Kiosk BV" starts the integration phase on 2025-03-31
    And the integration audit of "Kiosk BV" on 2025-06-27 passes with 40 of 40 scenarios passed
    Then production at "Kiosk BV" is closed to every traveller
    When "Kiosk BV" starts the pilot phase on 2025-06-30
    Then production at "Kiosk BV" is open to test users only
    When the pilot audit of "Kiosk BV" on 2025-09-01 fails: "two test users could not load their cards"
    Then production at "Kiosk BV" is open to test users only
    When the pilot audit of "Kiosk BV" on 2025-09-26 passes: "fix deployed; 25 test users, no findings"
    Then production at "Kiosk BV" is open to every traveller
