"""The catalog's controlled vocabularies, with Chinese and English labels.

Every enumeration of the metadata model lives here once: the schemas validate against it,
the API serves it at ``/api/v1/vocabularies``, the demo generator draws from it, and the
RDF mapping (``vocab/``) maps each value to its concept.  The classification tree's fixed
branches (1 base, 2 theme) are here too; branch 3 is generated from the department tree.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One value of an enumeration: the stored key and its labels."""

    key: str
    zh: str
    en: str

    def as_dict(self) -> dict:
        return {"key": self.key, "label": {"zh": self.zh, "en": self.en}}


class Enumeration:
    """An ordered set of terms, addressable by key."""

    def __init__(self, name: str, zh: str, en: str, terms: list[Term]):
        self.name, self.zh, self.en = name, zh, en
        self.terms = terms
        self._by_key = {t.key: t for t in terms}

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self):
        return iter(self.terms)

    def __getitem__(self, key: str) -> Term:
        return self._by_key[key]

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.terms]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": {"zh": self.zh, "en": self.en},
            "terms": [t.as_dict() for t in self.terms],
        }


SHARE_TYPES = Enumeration("share_type", "共享类型", "Sharing type", [
    Term("unconditional", "无条件共享", "Unconditional sharing"),
    Term("conditional", "有条件共享", "Conditional sharing"),
    Term("none", "不予共享", "Not shared"),
])

SHARE_METHODS = Enumeration("share_method", "共享方式", "Sharing method", [
    Term("platform_api", "共享平台（接口）", "Sharing platform (interface)"),
    Term("platform_database", "共享平台（数据库）", "Sharing platform (database)"),
    Term("platform_file", "共享平台（文件）", "Sharing platform (file)"),
    Term("email", "邮件", "E-mail"),
    Term("media", "介质", "Physical media"),
])

OPEN_TYPES = Enumeration("open_type", "开放属性", "Opening type", [
    Term("unconditional", "无条件开放", "Open without conditions"),
    Term("conditional", "有条件开放", "Open with conditions"),
    Term("none", "不予开放", "Not open"),
])

UPDATE_FREQUENCIES = Enumeration("update_frequency", "更新周期", "Update frequency", [
    Term("realtime", "实时", "Continuous"),
    Term("daily", "每日", "Daily"),
    Term("weekly", "每周", "Weekly"),
    Term("monthly", "每月", "Monthly"),
    Term("quarterly", "每季度", "Quarterly"),
    Term("semiannual", "每半年", "Twice a year"),
    Term("annual", "每年", "Annual"),
    Term("irregular", "不定期", "Irregular"),
])

# How many days may pass before a resource of each frequency is overdue (evaluation).
FREQUENCY_DAYS = {
    "realtime": 1, "daily": 2, "weekly": 8, "monthly": 32, "quarterly": 93,
    "semiannual": 184, "annual": 366, "irregular": None,
}

FORMAT_CLASSES = Enumeration("format_class", "信息资源格式", "Format class", [
    Term("electronic_file", "电子文件", "Electronic file"),
    Term("spreadsheet", "电子表格", "Spreadsheet"),
    Term("database", "数据库", "Database"),
    Term("image", "图形图像", "Graphics and images"),
    Term("streaming", "流媒体", "Streaming media"),
    Term("self_describing", "自描述格式", "Self-describing format"),
    Term("service_interface", "服务接口", "Service interface"),
])

# Format classes whose resources must list their data items (信息项).
FORMAT_CLASSES_WITH_DATA_ITEMS = frozenset({"spreadsheet", "database", "service_interface"})

# Usual sub-types of each format class (free text is allowed; these feed forms and the demo).
FORMAT_TYPES = {
    "electronic_file": ["pdf", "docx", "ofd", "txt", "wps"],
    "spreadsheet": ["xlsx", "xls", "csv", "et"],
    "database": ["mysql", "postgresql", "oracle", "dm", "kingbase", "sqlserver"],
    "image": ["jpg", "png", "tiff", "shp", "geotiff"],
    "streaming": ["mp4", "flv", "m3u8"],
    "self_describing": ["json", "xml", "geojson", "rdf"],
    "service_interface": ["rest", "soap", "wms", "wfs"],
}

DATA_ITEM_TYPES = Enumeration("data_item_type", "信息项数据类型", "Data item type", [
    Term("C", "字符型", "Character"),
    Term("N", "数值型", "Numeric"),
    Term("Y", "货币型", "Currency"),
    Term("D", "日期型", "Date"),
    Term("T", "日期时间型", "Date and time"),
    Term("L", "逻辑型", "Logical"),
    Term("M", "备注型", "Memo"),
    Term("G", "通用型", "General"),
    Term("B", "双精度型", "Double"),
    Term("I", "整型", "Integer"),
    Term("F", "浮点型", "Float"),
])

ADMINISTRATIVE_LEVELS = Enumeration("level", "行政层级", "Administrative level", [
    Term("national", "国家", "National"),
    Term("provincial", "省", "Provincial"),
    Term("municipal", "市", "Municipal"),
    Term("county", "县", "County"),
])

# The EU data themes (data-theme authority table) a resource may carry besides its classification.
EU_THEMES = Enumeration("eu_theme", "数据主题（欧盟）", "EU data theme", [
    Term("AGRI", "农业、渔业、林业和食品", "Agriculture, fisheries, forestry and food"),
    Term("ECON", "经济和金融", "Economy and finance"),
    Term("EDUC", "教育、文化和体育", "Education, culture and sport"),
    Term("ENER", "能源", "Energy"),
    Term("ENVI", "环境", "Environment"),
    Term("GOVE", "政府和公共部门", "Government and public sector"),
    Term("HEAL", "卫生", "Health"),
    Term("INTR", "国际事务", "International issues"),
    Term("JUST", "司法、法律体系和公共安全", "Justice, legal system and public safety"),
    Term("REGI", "区域和城市", "Regions and cities"),
    Term("SOCI", "人口和社会", "Population and society"),
    Term("TECH", "科学和技术", "Science and technology"),
    Term("TRAN", "交通", "Transport"),
])

ROLES = Enumeration("role", "角色", "Role", [
    Term("editor", "部门编目员", "Department cataloguer"),
    Term("reviewer", "部门审核员", "Department reviewer"),
    Term("admin", "目录管理中心管理员", "Catalog centre administrator"),
    Term("sysadmin", "系统管理员", "System administrator"),
])

RESOURCE_STATES = Enumeration("state", "状态", "State", [
    Term("incomplete", "待补录", "To be completed"),
    Term("draft", "草稿", "Draft"),
    Term("submitted", "已提交", "Submitted"),
    Term("department_approved", "部门已审核", "Approved by department"),
    Term("published", "已发布", "Published"),
    Term("returned", "已退回", "Returned"),
    Term("withdrawn", "已撤回", "Withdrawn"),
])

ENUMERATIONS = {e.name: e for e in (
    SHARE_TYPES, SHARE_METHODS, OPEN_TYPES, UPDATE_FREQUENCIES, FORMAT_CLASSES,
    DATA_ITEM_TYPES, ADMINISTRATIVE_LEVELS, EU_THEMES, ROLES, RESOURCE_STATES,
)}


@dataclass(frozen=True)
class ClassificationNode:
    code: str
    zh: str
    en: str

    @property
    def parent_code(self) -> str | None:
        return classification_parent(self.code)


def classification_parent(code: str) -> str | None:
    """The parent of a classification code: 类 (1) ← 项 (3) ← 目 (6) ← 细目 (7+)."""
    if len(code) <= 1:
        return None
    if len(code) <= 3:
        return code[:1]
    if len(code) <= 6:
        return code[:3]
    return code[:6]


# The fixed branches of the classification tree (政务信息资源目录编制指南): 类 and 项.
FIXED_CLASSIFICATION = [
    ClassificationNode("1", "基础信息资源", "Base information resources"),
    ClassificationNode("101", "人口", "Population"),
    ClassificationNode("102", "法人单位", "Legal entities"),
    ClassificationNode("103", "自然资源和空间地理", "Natural resources and geospatial"),
    ClassificationNode("104", "社会信用", "Social credit"),
    ClassificationNode("105", "电子证照", "Electronic licences and certificates"),
    ClassificationNode("2", "主题信息资源", "Thematic information resources"),
    ClassificationNode("201", "公共服务", "Public services"),
    ClassificationNode("202", "健康保障", "Health security"),
    ClassificationNode("203", "社会保障", "Social security"),
    ClassificationNode("204", "食品药品安全", "Food and drug safety"),
    ClassificationNode("205", "安全生产", "Work safety"),
    ClassificationNode("206", "价格监管", "Price supervision"),
    ClassificationNode("207", "能源安全", "Energy security"),
    ClassificationNode("208", "信用体系", "Credit system"),
    ClassificationNode("209", "城乡建设", "Urban and rural construction"),
    ClassificationNode("210", "社区治理", "Community governance"),
    ClassificationNode("211", "生态环保", "Ecology and environmental protection"),
    ClassificationNode("212", "应急维稳", "Emergency response and stability"),
    ClassificationNode("3", "部门信息资源", "Department information resources"),
]
