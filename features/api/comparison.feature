@api
Feature: A founder compares cities for a relocation
  Drives POST /api/v1/comparisons over HTTP.

  Scenario: Suzhou's milestone award outranks Wuhan until the company joins Wuhan's key enterprise pool
    Given an enterprise whose main business is blockchain
    And its in_key_enterprise_pool is no
    And its national_top100_first_entry is no
    And its municipal_research_projects is 0
    And its key_tasks_accepted is 0
    And its operating_revenue_prior is 28,000,000
    And its operating_revenue is 36,000,000
    And its blockchain_revenue is 30,000,000
    And its local_fiscal_contribution is 800,000
    And its standards_led.national is 0
    And its standards_led.provincial is 0
    And its park_designation is none
    And its high_growth is yes
    When it posts the profile to /api/v1/comparisons for wuhan, suzhou, changsha on 2022-06-30
    Then the ranking is suzhou, wuhan, changsha
    And suzhou guarantees 500,000.00 yuan
    And wuhan guarantees 0.00 yuan
    And wuhan says how to unlock wuhan.key_pool_growth
