"""Seed values of the extensible lists (字典); a bureau may add more."""

from __future__ import annotations

from app.domain.enums import ListKind

SEED_LISTS: dict[ListKind, tuple[str, ...]] = {
    ListKind.INDUSTRY_CHAIN: (
        "新能源", "新材料", "新能源汽车", "电子信息", "高端装备", "生物医药", "现代食品",
        "现代物流", "现代金融", "循环经济", "数字经济", "文旅康养", "现代纺织", "现代农业",
    ),
    ListKind.REGION: (
        "京津冀", "长三角", "粤港澳大湾区", "闽东南", "成渝", "环渤海", "中原", "港澳台",
        "日韩", "欧美", "其他",
    ),
    ListKind.TAG: (
        "世界500强", "中国500强", "民营500强", "行业百强", "上市公司", "链主企业", "专精特新",
        "外资企业", "央企/国企",
    ),
    ListKind.SOURCE: (
        "小分队招商", "驻地招商", "以商招商", "产业链招商", "基金招商", "展会招商", "委托招商",
        "商协会招商", "平台招商", "其他",
    ),
    # 责任单位: the counties, districts and zones of a city; seeded with 许昌's, a bureau edits them.
    ListKind.UNIT: (
        "魏都区", "建安区", "禹州市", "长葛市", "鄢陵县", "襄城县", "经开区", "高新区",
        "城乡一体化示范区",
    ),
}
