@api
Feature: A company asks the service for its award estimate
  Drives POST /api/v1/estimates over HTTP, the way a company's own system would.

  Scenario: A Wuhan blockchain enterprise learns what it can expect and who pays
    Given an enterprise whose main business is blockchain
    And its national_top100_first_entry is yes
    And its in_key_enterprise_pool is yes
    And its operating_revenue_prior is 28,000,000
    And its operating_revenue is 36,000,000
    And its local_fiscal_contribution_prior is 240,000
    When it posts the profile to /api/v1/estimates for wuhan on 2022-06-30
    Then wuhan.top100_first_entry pays 2,000,000.00 yuan
    And wuhan.key_pool_growth pays 240,000.00 yuan
    And wuhan.research_project needs municipal_research_projects
