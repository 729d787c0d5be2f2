"""Error messages in Chinese: one catalogue of every message the engine, the service and marshmallow
write, as English templates beside their Chinese wording.

Messages are written in English where they arise (``InputError`` keeps plain strings, so programs and
logs read them unchanged); ``translate`` gives a message in the language a person asked for. A
template's ``{name}`` parts (a value, a list of choices, a file name) are carried over as they are.
Field paths are never translated: they stay the keys of an error, in every language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache, partial

__all__ = ["CATALOGUE", "translate", "translate_errors"]

#: (English template, Chinese template). More specific templates come before more general ones.
CATALOGUE: tuple[tuple[str, str], ...] = (
    # money
    (
        'Amount must be an integer or a decimal string such as "1234.56", not a JSON number with a decimal point or exponent.',
        '金额须为整数或小数字符串（如 "1234.56"），不能是带小数点或指数的 JSON 数字。',
    ),
    ("Amount must be an integer or a decimal, not a floating-point number.", "金额须为整数或小数，不能是浮点数。"),
    ("Amount must be an amount in yuan, not true/false.", "金额须为以元计的数额，不能是 true/false。"),
    ("Amount must not be negative.", "金额不能为负数。"),
    ('Amount must be an amount in yuan written as digits, e.g. "1234.56"; got {value}.', '金额须以数字书写（如 "1234.56"），收到的是 {value}。'),
    ("Amount is absurdly large; amounts must be below 10^16 yuan.", "金额过大：须低于 10^16 元。"),
    ("Amount must be a finite amount.", "金额须为有限数。"),
    (
        'Amount must be an integer or a decimal string such as "1234.56" (fractional amounts as strings).',
        '金额须为整数或小数字符串（如 "1234.56"，带小数的金额请用字符串）。',
    ),
    ("Amount is not a valid amount.", "金额无效。"),
    ("Amount has more than two decimal places; amounts are exact to the fen (0.01 yuan).", "金额的小数超过两位：金额精确到分（0.01元）。"),
    (
        'Money must not be a floating-point column; use integers, decimals or text such as "1234.56" so amounts stay exact to the fen.',
        '金额列不能是浮点数列：请用整数、小数或文本（如 "1234.56"），以便金额精确到分。',
    ),
    ("Money must be integers, decimals or text; this column is {kind}.", "金额须为整数、小数或文本；此列的类型为 {kind}。"),
    # counts, booleans, choices
    ("Must be a whole number written without a decimal point or exponent, e.g. 2.", "须为不带小数点或指数的整数，如 2。"),
    ("Must be a whole number; counts cannot be fractional.", "须为整数：数量不能是小数。"),
    ("Must be a whole number, e.g. 2.", "须为整数，如 2。"),
    ("Must be a whole number of years from 1 to {most}.", "须为1至{most}之间的整数年数。"),
    ("Must not be negative.", "不能为负数。"),
    ("Must be between -1 (revenue gone) and 10 (elevenfold) per year.", "每年须在 -1（收入归零）至 10（增长十倍）之间。"),
    ("Must be between {low} and {high}.", "须在{low}至{high}之间。"),
    (
        "Counts must not be a floating-point column; use whole numbers (in pandas, the nullable Int64 type).",
        "数量列不能是浮点数列：请用整数（pandas 中用可空的 Int64 类型）。",
    ),
    ("Must be true or false; this column is {kind}.", "须为 true 或 false；此列的类型为 {kind}。"),
    ("Must be true or false.", "须为 true 或 false。"),
    ("Must be one of: {choices}; this column is {kind}.", "须为以下之一：{choices}；此列的类型为 {kind}。"),
    ("Must be one of: {choices}.", "须为以下之一：{choices}。"),
    # dates, districts, cities, rules
    ("Must be a date written YYYY-MM-DD, e.g. 2022-06-30.", "须为 YYYY-MM-DD 格式的日期，如 2022-06-30。"),
    ("Must be a date from 1990-01-01 to 2100-12-31.", "须为1990-01-01至2100-12-31之间的日期。"),
    ("Must be a district name of 1 to 64 characters, e.g. 江汉区.", "须为1至64个字符的区名，如 江汉区。"),
    ("Unknown city '{city}'; use one of: {cities}.", "未知城市“{city}”；可用：{cities}。"),
    (
        "Contains a character that is not text (a NUL, or half of a UTF-16 surrogate pair); send plain text.",
        "含有不属于文本的字符（NUL或不成对的UTF-16代理项）；请发送纯文本。",
    ),
    ("Must be a non-empty list of cities: {cities}.", "须为非空的城市列表：{cities}。"),
    ("'{city}' is listed twice.", "“{city}”重复列出。"),
    ("Names a city that is not in cities.", "所指城市不在 cities 中。"),
    (
        "Unknown rule '{rule}'; use a rule id such as suzhou.revenue_milestone (see `subsidy rules`).",
        "未知规则“{rule}”；请使用规则编号，如 suzhou.revenue_milestone（见 `subsidy rules`）。",
    ),
    (
        "Unknown rule '{rule}'; name a rule id such as prior:suzhou.revenue_milestone (see `subsidy rules`).",
        "未知规则“{rule}”；请写规则编号，如 prior:suzhou.revenue_milestone（见 `subsidy rules`）。",
    ),
    ("Unknown rule '{rule}'.", "未知规则“{rule}”。"),
    # profiles, requests, plans
    ("Must be a JSON object of facts.", "须为由事实组成的 JSON 对象。"),
    ("Unknown field. Valid fields: {fields}.", "未知字段。有效字段：{fields}。"),
    ("Unknown field; growth applies to {fields}.", "未知字段；增长率适用于：{fields}。"),
    ("Unknown field; figures may give {fields}.", "未知字段；逐年数据可给出：{fields}。"),
    ("Unknown field.", "未知字段。"),
    ("Missing data for required field.", "缺少必填字段。"),
    ("Field may not be null.", "该字段不能为 null。"),
    ("Not a valid string.", "不是有效的字符串。"),
    ("Not a valid integer.", "不是有效的整数。"),
    ("Not a valid date.", "不是有效的日期。"),
    ("Not a valid list.", "不是有效的列表。"),
    ("Not a valid mapping type.", "不是有效的对象。"),
    ("Invalid input type.", "输入类型无效。"),
    ("Invalid value.", "值无效。"),
    ("Length must be between {low} and {high}.", "长度须在{low}至{high}之间。"),
    ("At most {count} earlier awards; a company's history is never longer.", "以往奖励记录最多{count}条，企业的实际记录不会更多。"),
    ("Give each year's figures once.", "每年的数据只填写一次。"),
    ("Must be greater than or equal to {low} and less than or equal to {high}.", "须大于等于{low}且小于等于{high}。"),
    ('Must be a growth rate written as a decimal, e.g. "0.25" for 25 %.', '须为小数形式的增长率，如 "0.25" 表示 25 %。'),
    ("Must be a year between 1990 and 2100.", "须为1990至2100之间的年份。"),
    ("Must map some of {fields} to yearly growth rates.", "须将以下字段中的若干项对应到年增长率：{fields}。"),
    ("Must be a list of {year, ...facts} objects.", "须为 {year, ...事实} 对象的列表。"),
    ("Each entry needs the year it is for.", "每一项须写明所属年份。"),
    ("Must be a year of the plan.", "须为计划内的年份。"),
    ('Must be a month and day written MM-DD that exists every year, e.g. "06-30".', '须为每年都存在的 MM-DD 格式月日，如 "06-30"。'),
    ("A plan is evaluated each year on as_of_month_day; leave as_of out.", "计划按每年的 as_of_month_day 估算，请不要给出 as_of。"),
    ("A plan is evaluated on as_of_month_day of each year; leave --as-of out.", "计划按每年的 as_of_month_day 估算，请不要给出 --as-of。"),
    ("A chart needs a plan: give start_year and years.", "图表需要计划：请给出 start_year 和 years。"),
    ("Must be a JSON object.", "须为 JSON 对象。"),
    # JSON bodies and files
    ("Malformed JSON at line {line}, column {column}: {why}.", "JSON 格式错误，第{line}行第{column}列：{why}。"),
    ("Must be UTF-8 encoded JSON.", "须为 UTF-8 编码的 JSON。"),
    ("JSON is nested too deeply (more than {depth} levels).", "JSON 嵌套过深（超过{depth}层）。"),
    ("Invalid JSON: {why}.", "JSON 无效：{why}。"),
    ("Missing JSON body.", "缺少 JSON 请求体。"),
    ("The request needs a JSON body.", "请求需要 JSON 请求体。"),
    ("Row {rows}: {message}", "第{rows}行：{message}"),
    ("{file}, row {rows}: {message}", "{file} 第{rows}行：{message}"),
    ("Line {line} has {found} fields where the header has {expected}.", "第{line}行有{found}个字段，而表头有{expected}个。"),
    (
        "Not a fact of the profile. Facts are: {facts}; prior:<rule id> gives what a rule already paid; other columns must be named with --keep.",
        "不是企业画像中的事实。事实包括：{facts}；prior:<规则编号> 表示该规则已支付的金额；其他列须用 --keep 指明。",
    ),
    ("The column appears twice.", "该列出现了两次。"),
    ("Named to be kept, but the input has no such column.", "指定保留此列，但输入中没有这一列。"),
    ("{file}: name a .csv or .parquet file.", "{file}：请指定 .csv 或 .parquet 文件。"),
    ("{file} is not a readable Parquet file: {why}", "{file} 不是可读取的 Parquet 文件：{why}"),
    ("{file} is not a readable UTF-8 CSV file: {why}", "{file} 不是可读取的 UTF-8 CSV 文件：{why}"),
    ("{file} has no header row.", "{file} 没有表头行。"),
    ("The CSV file cannot be read: {why}", "无法读取该 CSV 文件：{why}"),
    ("{file} does not exist or is not a file.", "{file} 不存在或不是文件。"),
    # the service's own messages
    ("The request could not be read.", "无法读取该请求。"),
    ("This needs a valid API key.", "需要有效的 API 密钥。"),
    ("Nothing here: check the address and the id.", "此处没有内容：请检查地址和编号。"),
    ("This address does not accept that method.", "此地址不接受该请求方法。"),
    ("The request body is larger than 1 MiB.", "请求体超过 1 MiB。"),
    ("Send the body as JSON with Content-Type: application/json.", "请以 JSON 发送请求体，并设置 Content-Type: application/json。"),
    ("Some fields are invalid; see errors.", "部分字段无效，详见 errors。"),
    ("Too many requests; slow down.", "请求过多，请放慢速度。"),
    ("Something went wrong on our side; nothing was stored.", "服务端出错，未保存任何内容。"),
    ("No estimate {id} for this key.", "此密钥下没有估算 {id}。"),
    ("No company {id} for this key.", "此密钥下没有企业 {id}。"),
    ("No document {id}.", "没有文件 {id}。"),
    ("No rule {id}.", "没有规则 {id}。"),
    ("The database is not reachable.", "无法连接数据库。"),
    ("The database cannot take a write.", "数据库无法写入。"),
    ("The database cannot take a write: its disk is full or failing.", "数据库无法写入：磁盘已满或出错。"),
    ("The database cannot take a write: it is read-only.", "数据库无法写入：数据库为只读。"),
    (
        "The database cannot take this request now; nothing was stored. Retry after the seconds given in Retry-After.",
        "数据库暂时无法处理此请求，未保存任何内容。请在 Retry-After 给出的秒数后重试。",
    ),
    ("The request body stopped arriving; send it again in one go.", "请求体中途停止传输，请重新完整发送。"),
    (
        "The service is too busy to finish this request within {seconds} seconds; nothing was stored. Retry after the seconds given in Retry-After.",
        "服务繁忙，未能在{seconds}秒内完成此请求，未保存任何内容。请在 Retry-After 给出的秒数后重试。",
    ),
    ("No scenario run has been recorded yet; run the scenarios (make test) first.", "尚未记录场景运行，请先运行场景（make test）。"),
    (
        "This needs an API key: send Authorization: Bearer <key> (create one with `subsidy keys create NAME`).",
        "需要 API 密钥：请发送 Authorization: Bearer <密钥>（用 `subsidy keys create 名称` 创建）。",
    ),
    ("Send the API key as Authorization: Bearer <key>.", "请以 Authorization: Bearer <密钥> 发送 API 密钥。"),
    ("Unknown or revoked API key.", "API 密钥未知或已撤销。"),
    (
        "Too many requests: the limit is {amount} in {seconds} seconds. Retry after the seconds given in Retry-After.",
        "请求过多：限额为每{seconds}秒{amount}次。请在 Retry-After 给出的秒数后重试。",
    ),
    (
        "The rate-limit counters cannot be reached; nothing was done. Retry after the seconds given in Retry-After.",
        "无法连接限流计数器，请求未被处理。请在 Retry-After 给出的秒数后重试。",
    ),
)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    compiled = []
    for english, chinese in CATALOGUE:
        parts = _PLACEHOLDER.split(english)
        # Even parts are literal text, odd parts placeholder names.
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        compiled.append((re.compile(f"^{regex}$", re.DOTALL), chinese))
    return tuple(compiled)


def _fill(values: Mapping[str, str], placeholder: re.Match[str]) -> str:
    return values[placeholder.group(1)]


def translate(message: str, lang: str | None) -> str:
    """``message`` in ``lang`` (``zh`` or ``en``); English, and any message not catalogued, as it is."""
    if lang != "zh":
        return message
    for pattern, chinese in _patterns():
        found = pattern.match(message)
        if found is not None:
            values = {name: translate(value, lang) if name == "message" else value for name, value in found.groupdict().items()}
            return _PLACEHOLDER.sub(partial(_fill, values), chinese)
    return message


def translate_errors(errors: Mapping[str, list[str]], lang: str | None) -> dict[str, list[str]]:
    """Every message of an error map in ``lang``; the field paths (the keys) stay as they are."""
    return {field: [translate(m, lang) for m in messages] for field, messages in errors.items()}
