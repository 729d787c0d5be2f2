# language: zh-CN
@changsha
功能: 长沙市区块链产业发展三年行动计划（长政办函〔2020〕20号）
  核对 rules/changsha/changsha-2020-20.yaml：行动计划只承诺支持、未规定金额，各规则均为非资金支持。
  本文件用中文关键字编写，政策审核人员可以照此格式自行编写场景。

  场景大纲: 具有高成长性的区块链企业列入小巨人企业培养目录
    假如 一家以区块链为主营业务的企业
    而且 其main_business_blockchain为<区块链主营>
    而且 其high_growth为<高成长性>
    当 它在changsha于2022-06-30申请估算
    那么 changsha.little_giant的结果为<结果>

    例子:
      | 区块链主营 | 高成长性 | 结果       |
      | 是         | 是       | 符合条件   |
      | 是         | 否       | 不符合条件 |
      | 否         | 是       | 不符合条件 |
      | 是         | 未知     | 尚待确定   |
      | 未知       | 是       | 尚待确定   |

  场景: 小巨人企业培育信息缺失时说明需要补充的事实
    假如 一家以区块链为主营业务的企业
    而且 其high_growth为未知
    当 它在changsha于2022-06-30申请估算
    那么 changsha.little_giant需要high_growth

  场景: 区块链企业可获得园区落户、融资、孵化、优惠政策等支持
    假如 一家以区块链为主营业务的企业
    当 它在changsha于2022-06-30申请估算
    那么 changsha.industrial_parks的结果为符合条件
    而且 changsha.financing的结果为符合条件
    而且 changsha.incubation_services的结果为符合条件
    而且 changsha.preferential_policies的结果为符合条件
    而且 changsha.talent的结果为符合条件
    而且 changsha.special_funds的结果为符合条件
    而且 changsha.onchain_programme的结果为不符合条件

  场景: 传统企业可参加千企上链扶持工程，但不享受面向区块链企业的支持
    假如 一家以区块链为主营业务的企业
    而且 其main_business_blockchain为否
    当 它在changsha于2022-06-30申请估算
    那么 changsha.onchain_programme的结果为符合条件
    而且 changsha.industrial_parks的结果为不符合条件
    而且 changsha.financing的结果为不符合条件
    而且 changsha.incubation_services的结果为不符合条件
    而且 changsha.preferential_policies的结果为不符合条件

  场景: 园区不是企业，不适用面向企业的支持
    假如 一个没有奖励记录的园区
    当 它在changsha于2022-06-30申请估算
    那么 changsha.little_giant的结果为不符合条件
    而且 changsha.talent的结果为不符合条件
    而且 changsha.special_funds的结果为不符合条件
    而且 changsha.onchain_programme的结果为不符合条件

  场景: 高校可获得人才和专项资金支持
    假如 一个没有奖励记录的高校
    当 它在changsha于2022-06-30申请估算
    那么 changsha.talent的结果为符合条件
    而且 changsha.special_funds的结果为符合条件
    而且 changsha.little_giant的结果为不符合条件
    而且 changsha.industrial_parks的结果为不符合条件
    而且 changsha.financing的结果为不符合条件
    而且 changsha.incubation_services的结果为不符合条件
    而且 changsha.preferential_policies的结果为不符合条件

  场景: 对一家情况完全未知的主体，长沙各规则均尚待确定
    假如 一家情况完全未知的主体
    当 它在changsha于2022-06-30申请估算
    那么 changsha.little_giant的结果为尚待确定
    而且 changsha.industrial_parks的结果为尚待确定
    而且 changsha.financing的结果为尚待确定
    而且 changsha.talent的结果为尚待确定
    而且 changsha.incubation_services的结果为尚待确定
    而且 changsha.onchain_programme的结果为尚待确定
    而且 changsha.preferential_policies的结果为尚待确定
    而且 changsha.special_funds的结果为尚待确定

  场景大纲: 行动计划自2020年5月18日起至2022年12月31日有效
    假如 一家以区块链为主营业务的企业
    而且 其high_growth为是
    当 它在changsha于<日期>申请估算
    那么 changsha.little_giant的结果为<结果>
    而且 changsha.onchain_programme的结果为<传统企业结果>

    例子:
      | 日期       | 结果         | 传统企业结果 |
      | 2020-05-17 | 不在有效期内 | 不在有效期内 |
      | 2020-05-18 | 符合条件     | 不符合条件   |
      | 2022-12-31 | 符合条件     | 不符合条件   |
      | 2023-01-01 | 不在有效期内 | 不在有效期内 |

  场景大纲: 有效期之外，行动计划的各项支持均不适用
    假如 一家以区块链为主营业务的企业
    而且 其high_growth为是
    当 它在changsha于<日期>申请估算
    那么 changsha.little_giant的结果为不在有效期内
    而且 changsha.industrial_parks的结果为不在有效期内
    而且 changsha.financing的结果为不在有效期内
    而且 changsha.talent的结果为不在有效期内
    而且 changsha.incubation_services的结果为不在有效期内
    而且 changsha.onchain_programme的结果为不在有效期内
    而且 changsha.preferential_policies的结果为不在有效期内
    而且 changsha.special_funds的结果为不在有效期内

    例子:
      | 日期       |
      | 2020-05-17 |
      | 2023-01-01 |
