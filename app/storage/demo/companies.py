"""Demo enterprises (客商) and their contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.storage.demo import names, phrases
from app.storage.demo.factory import BASE_DATE, Factory, spread
from app.storage.demo.writer import meta
from app.storage.records import name_key

REGION_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("长三角", 22), ("粤港澳大湾区", 20), ("京津冀", 15), ("中原", 12), ("闽东南", 7),
    ("成渝", 6), ("环渤海", 6), ("其他", 4), ("港澳台", 3), ("日韩", 3), ("欧美", 2),
)
CHAIN_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("高端装备", 14), ("新能源", 12), ("新材料", 12), ("电子信息", 12), ("现代食品", 10),
    ("生物医药", 9), ("新能源汽车", 8), ("现代物流", 5), ("数字经济", 5), ("循环经济", 4),
    ("现代纺织", 3), ("现代金融", 2), ("文旅康养", 2), ("现代农业", 2),
)
TAG_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("专精特新", 30), ("上市公司", 22), ("行业百强", 14), ("民营500强", 10), ("链主企业", 8),
    ("中国500强", 6), ("央企/国企", 5), ("世界500强", 3), ("外资企业", 2),
)
# Share of enterprises with 0, 1, 2, 3 contacts: 1.5 on average (DESIGN.md, Testing).
CONTACT_SHAPE = (0.10, 0.45, 0.30, 0.15)
CONTACTS_PER_ENTERPRISE = 1.5


@dataclass(slots=True)
class Company:
    """What later record types need to know about one demo enterprise."""

    id: str
    short: str  # how notes refer to it: brand and trade, 华鑫新能源科技
    name: str
    chain: str
    region: str
    city: str
    address: str | None
    zone: str
    foreign: bool
    weight: float
    website: str | None
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, title)


class Companies:
    """Builds enterprises first (kept in memory as Company), then contacts for them."""

    def __init__(self, seed: int, size: int) -> None:
        self.size = size
        self.f = Factory(seed, "enterprise")
        self.cf = Factory(seed, "contact")
        self.all: list[Company] = []
        self.by_city: dict[str, list[int]] = {}
        self.by_region: dict[str, list[int]] = {}
        self._names: set[str] = set()
        self._usccs: set[str] = set()
        self._mobiles: set[str] = set()
        self._regions = names.weighted(REGION_WEIGHTS)
        self._chains = names.weighted(CHAIN_WEIGHTS)
        self._tags = names.weighted(TAG_WEIGHTS)
        self._suffixes = names.weighted(names.ENTERPRISE_SUFFIXES)

    @property
    def contact_total(self) -> int:
        return round(CONTACTS_PER_ENTERPRISE * self.size)

    def enterprises(self) -> Iterator[dict[str, Any]]:
        f = self.f
        for _ in range(self.size):
            region = f.pick_weighted(*self._regions)
            chain = f.pick_weighted(*self._chains)
            word = f.pick(names.CHAIN_WORDS[chain][0])
            record: dict[str, Any] = {"id": f.uid(), "region": region, "industry_chain": chain}
            if region in names.FOREIGN:
                country, city, zone, style = names.FOREIGN[region][
                    int(f.rng.random() * len(names.FOREIGN[region]))]
                name, short = self._unique(self._foreign_name, style, word)
                record.update(province=country, city=city, address=f"{country}{city}")
                foreign = True
            else:
                province, city, area, districts = names.DOMESTIC[region][
                    int(f.rng.random() * len(names.DOMESTIC[region]))]
                name, short = self._unique(self._domestic_name, city, word)
                prefix = city if province == city else province + city
                address = f"{prefix}{f.pick(districts)}{f.pick(names.ROADS)}{f.between(1, 999)}号"
                record.update(province=province, city=city, address=address)
                if f.chance(0.95):
                    record["uscc"] = self._unique_uscc(names.DIVISION_CODES[city])
                zone, foreign = "Asia/Shanghai", False
            record["name"] = name
            record["tags"] = self._tags_for(foreign)
            record["website"] = self._website() if f.chance(0.4) else None
            if f.chance(0.2):
                record["notes"] = f.pick(phrases.ENTERPRISE_NOTES).format(chain=chain)
            created = f.day()
            updated = created + dt.timedelta(days=f.below(200))
            record["name_key"] = name_key(name)
            record.update(meta(f.stamp(created), f.stamp(min(updated, BASE_DATE))))
            # Most enterprises are touched rarely; a few hot ones get most notes and leads.
            weight = 4.0 if f.chance(0.1) else (1.0 if f.chance(0.33) else 0.3)
            index = len(self.all)
            self.all.append(Company(record["id"], short, name, chain, region, record["city"],
                                    record.get("address"), zone, foreign, weight,
                                    record["website"]))
            self.by_city.setdefault(record["city"], []).append(index)
            self.by_region.setdefault(region, []).append(index)
            yield record

    def contacts(self) -> Iterator[dict[str, Any]]:
        f = self.cf
        counts = spread(f.rng, len(self.all), self.contact_total, CONTACT_SHAPE)
        for company, count in zip(self.all, counts, strict=True):
            area = _area_code(company.city)
            for k in range(count):
                name, title = f.person(), f.contact_title()
                cid = f.uid()
                record: dict[str, Any] = {
                    "id": cid, "enterprise_id": company.id, "name": name, "title": title,
                    "is_key": k == 0 and f.chance(0.35),
                }
                if f.chance(0.5 if company.foreign else 0.95):
                    record["mobile"] = self._unique_mobile()
                if f.chance(0.35):
                    record["phone"] = f.landline(area) if area else f"+{f.between(30, 89)}-" \
                        f"{f.between(2, 9)}-{f.between(1000, 9999)}-{f.between(1000, 9999)}"
                if f.chance(0.3):
                    domain = (company.website or "www.qq.com").removeprefix("www.")
                    record["email"] = f"{f.letters(3, 8)}{f.between(1, 99)}@{domain}"
                if f.chance(0.3):
                    record["wechat"] = record.get("mobile") or f"wxid_{f.letters(8, 12)}"
                if f.chance(0.15):
                    record["notes"] = f.pick(phrases.CONTACT_NOTES)
                day = f.day()
                record.update(meta(f.stamp(day)))
                company.contacts.append((cid, name, title))
                yield record

    # --- pieces -----------------------------------------------------------------------------

    def _brand(self) -> str:
        a = self.f.pick(names.BRAND_CHARS)
        b = self.f.pick(names.BRAND_CHARS)
        return a + b if a != b else a + self.f.pick(names.BRAND_CHARS)

    def _domestic_name(self, city: str, word: str) -> tuple[str, str]:
        f = self.f
        short = self._brand() + word
        suffix = f.pick_weighted(*self._suffixes)
        style = f.rng.random()
        if style < 0.45:
            return f"{city}{short}{suffix}", short
        if style < 0.8:
            return f"{city.removesuffix('市')}{short}{suffix}", short
        return f"{short}{suffix}", short

    def _foreign_name(self, style: str, word: str) -> tuple[str, str]:
        short = self._brand() + word
        tag = names.COUNTRY_TAG[style]
        if style in ("jp", "kr"):
            return f"{short}株式会社", short
        if style == "hk":
            return f"{short}（香港）有限公司", short
        if style == "tw":
            return f"台湾{short}股份有限公司", short
        if self.f.chance(0.5):
            return f"{tag}{short}集团", short
        return f"{short}（{tag}）有限公司", short

    def _unique(self, make: Callable[[str, str], tuple[str, str]], a: str, b: str
                ) -> tuple[str, str]:
        name, short = make(a, b)
        while name in self._names:  # collisions are rare; retrying keeps names unique
            name, short = make(a, b)
        self._names.add(name)
        return name, short

    def _unique_uscc(self, division: str) -> str:
        code = self.f.uscc(division)
        while code in self._usccs:
            code = self.f.uscc(division)
        self._usccs.add(code)
        return code

    def _unique_mobile(self) -> str:
        number = self.cf.mobile()
        while number in self._mobiles:
            number = self.cf.mobile()
        self._mobiles.add(number)
        return number

    def _tags_for(self, foreign: bool) -> list[str]:
        f = self.f
        if foreign:
            return ["外资企业", "世界500强"] if f.chance(0.2) else ["外资企业"]
        roll = f.rng.random()
        if roll < 0.55:
            return []
        first = f.pick_weighted(*self._tags)
        if roll < 0.95:
            return [first]
        second = f.pick_weighted(*self._tags)
        return [first] if second == first else [first, second]

    def _website(self) -> str:
        tld = self.f.pick((".com", ".com", ".cn", ".com.cn"))
        return f"www.{self.f.letters(4, 9)}{tld}"


_AREA_CODES = {city: area for cities in names.DOMESTIC.values() for _, city, area, _ in cities}


def _area_code(city: str) -> str | None:
    return _AREA_CODES.get(city)
