@national
Feature: MIIT and CAC guidance on blockchain application and industry development (工信部联信发〔2021〕62号)
  Audits rules/national/national-miit-2021-62.yaml. Its rules apply in every city and state no amounts.

  Scenario Outline: Blockchain enterprises get the software tax preferences and incubation support in every city
    Given an enterprise whose main business is blockchain
    And its main_business_blockchain is <blockchain>
    When it asks for an estimate in <city> on 2022-06-30
    Then national.software_tax is <status>
    And national.startup_incubation is <status>
    And national.first_version_insurance is eligible
    And national.government_procurement is eligible

    Examples:
      | city     | blockchain | status       |
      | wuhan    | yes        | eligible     |
      | suzhou   | no         | ineligible   |
      | changsha | unknown    | undetermined |

  Scenario: A park is not an enterprise, and R&D measures are for those who do research
    Given a park with no award history
    And its park_designation is provincial_blockchain_cluster
    When it asks for an estimate in suzhou on 2022-06-30
    Then national.software_tax is ineligible
    And national.first_version_insurance is ineligible
    And national.government_procurement is ineligible
    And national.pilot_zone_software_park is ineligible

  Scenario Outline: A national blockchain pilot zone is supported to become a famous software park
    Given a park with no award history
    And its park_designation is <designation>
    When it asks for an estimate in wuhan on 2022-06-30
    Then national.pilot_zone_software_park is <status>

    Examples:
      | designation                    | status       |
      | national_blockchain_pilot_zone | eligible     |
      | none                           | ineligible   |
      | unknown                        | undetermined |

  Scenario: About a company nothing is known, every national rule is undetermined
    Given a company about which nothing is known
    When it asks for an estimate in changsha on 2022-06-30
    Then national.software_tax is undetermined
    And national.first_version_insurance is undetermined
    And national.government_procurement is undetermined
    And national.startup_incubation is undetermined
    And national.pilot_zone_software_park is undetermined

  Scenario Outline: The guidance is in force from 27 May 2021, with no end date
    Given an enterprise whose main business is blockchain
    When it asks for an estimate in wuhan on <day>
    Then national.software_tax is <status>
    And national.first_version_insurance is <status>

    Examples:
      | day        | status       |
      | 2021-05-26 | not in force |
      | 2021-05-27 | eligible     |
      | 2035-12-31 | eligible     |

  Scenario: Before 27 May 2021 no national rule applies
    Given an enterprise whose main business is blockchain
    When it asks for an estimate in wuhan on 2021-05-26
    Then national.software_tax is not in force
    And national.first_version_insurance is not in force
    And national.government_procurement is not in force
    And national.startup_incubation is not in force
    And national.pilot_zone_software_park is not in force

  Scenario: Incubation is for enterprises, the famous software park for parks
    Given a park with no award history
    And its main_business_blockchain is yes
    And its park_designation is national_blockchain_pilot_zone
    When it asks for an estimate in wuhan on 2022-06-30
    Then national.startup_incubation is ineligible
    And national.pilot_zone_software_park is eligible

  Scenario: An enterprise is not a pilot zone
    Given an enterprise whose main business is blockchain
    And its park_designation is national_blockchain_pilot_zone
    When it asks for an estimate in wuhan on 2022-06-30
    Then national.pilot_zone_software_park is ineligible
    And national.startup_incubation is eligible
