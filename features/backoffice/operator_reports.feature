@role:backoffice @role:service-provider
Feature: Daily operator reports of the operator's own domain (GBO-03)
  Every operator gets a daily report per travel day of its own domain only: its transactions
  (check-ins, check-outs and failed taps at its readers), its trips (check-in combined with
  check-out, with its share of the fare) and the payments for them. A bank card appears under
  the operator's own token. A travel day is reported once it has ended (03:05 the next day);
  the same question gives the same answer, byte for byte, in JSON and CSV.

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

  @GBO-03 @EMV-02
  Scenario: Each operator's report holds its own transactions, trips and payments, failed taps included
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
      | 2024-06-12 09:55:00 | q-ut   |
      | 2024-06-12 10:10:00 | q-usp  |
    And card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 11:00:00 | t-asd  |
      | 2024-06-12 11:06:00 | t-dam  |
    And it is 2024-06-12 12:00
    And card "A" taps at "asd"
    Then the reader refuses: not-activated
    When it is 2024-06-13 04:00
    And operator "NS" asks for its report of 2024-06-12
    Then the report lists 3 transactions, 1 trip and 1 payment
    And the report's transactions are:
      | station | kind      | card  |
      | asd     | check-in  | token |
      | ut      | check-out | token |
      | asd     | failed    | A     |
    # Amsterdam Centraal–Utrecht Centraal 36 km: €1.00 + 36 × €0.21 = €8.56
    And the report's trips are:
      | from | to | status    | fare  | card  |
      | asd  | ut | completed | €8.56 | token |
    And the report's payments are:
      | card  | means | amount |
      | token | ovpay | €8.56  |
    And the report's total is €8.56
    And the report of "NS" mentions no station outside its own readers
    When operator "QBZ" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    # Qbuzz tram Utrecht Centraal–Utrecht Science Park 7.5 km on line 22 at €0.23/km:
    # €1.08 + 7.5 × €0.23 (€1.725 → €1.73) = €2.81
    And the report's trips are:
      | from | to     | status    | fare  | card  |
      | ut   | uithof | completed | €2.81 | token |
    And the report's total is €2.81
    And the report of "QBZ" mentions no station outside its own readers
    When operator "GVB" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's transactions are:
      | station | kind      | card |
      | asd     | check-in  | A    |
      | dam     | check-out | A    |
    # GVB tram Amsterdam Centraal–Dam 0.9 km: €1.08 + 0.9 × €0.19 (→ €0.17) = €1.25
    And the report's payments are:
      | card | means                | amount |
      | A    | ov-chipkaart-balance | €1.25  |
    And the report of "GVB" mentions no station outside its own readers
    And the reports of "NS" and "QBZ" show card "V" under different tokens

  @GBO-03
  Scenario: An operator without taps that day gets an empty report
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
    And it is 2024-06-13 04:00
    And operator "HTM" asks for its report of 2024-06-12
    Then the report lists 0 transactions, 0 trips and 0 payments
    And the report's total is €0.00

  @GBO-03 @EMV-07
  Scenario: The report is refused while the travel day still runs, until 03:05 the next day
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 23:50:00 | asd    |
      | 2024-06-13 00:20:00 | ut     |
    And it is 2024-06-13 03:04:59
    And operator "NS" asks for its report of 2024-06-12
    Then the report is refused because the travel day is still running
    When it is 2024-06-13 03:05:00
    And operator "NS" asks for its report of 2024-06-12
    Then the report lists 2 transactions, 1 trip and 1 payment
    And the report's total is €8.56
    When operator "NS" asks for its report of 2024-06-13
    Then the report is refused because the travel day is still running

  @GBO-03
  Scenario: Asking twice gives the same JSON and CSV, also after the next day's taps arrive
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-12 09:20:00 | asd    |
      | 2024-06-12 09:50:00 | ut     |
    And card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-12 11:00:00 | t-asd  |
      | 2024-06-12 11:06:00 | t-dam  |
    And it is 2024-06-13 04:00
    And operator "NS" asks for its report of 2024-06-12
    And operator "GVB" asks for its report of 2024-06-12
    Then asking for the report of "NS" for 2024-06-12 again gives the same JSON and CSV
    And asking for the report of "GVB" for 2024-06-12 again gives the same JSON and CSV
    When bank card "V" taps at these readers:
      | at                  | reader |
      | 2024-06-13 09:20:00 | ut     |
      | 2024-06-13 09:50:00 | asd    |
    And card "A" taps at these readers:
      | at                  | reader |
      | 2024-06-13 11:00:00 | t-asd  |
      | 2024-06-13 11:06:00 | t-dam  |
    Then asking for the report of "NS" for 2024-06-12 again gives the same JSON and CSV
    And asking for the report of "GVB" for 2024-06-12 again gives the same JSON and CSV
