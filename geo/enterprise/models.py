"""Enterprises (市场主体): the points law enforcement and random inspections work on."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base
from geo.core.models import IdMixin, RegionLinkMixin, TimestampMixin, geom_column, trigram_index


class EnterpriseCategory(StrEnum):
    CATERING = "catering"  # 餐饮
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"  # 危险化学品
    CONSTRUCTION = "construction"  # 建筑施工
    RETAIL = "retail"  # 商贸零售
    MANUFACTURING = "manufacturing"  # 工业制造
    LOGISTICS = "logistics"  # 仓储物流
    ACCOMMODATION = "accommodation"  # 住宿
    ENTERTAINMENT = "entertainment"  # 文化娱乐
    AUTO_REPAIR = "auto_repair"  # 机动车维修
    HEALTHCARE = "healthcare"  # 医疗卫生


class RiskList(StrEnum):
    """The red / white / black list of random inspections (DR-6)."""

    RED = "red"  # 红名单：信用良好，少抽
    WHITE = "white"  # 白名单：一般
    BLACK = "black"  # 黑名单：多次不合格，多抽


class Enterprise(IdMixin, TimestampMixin, RegionLinkMixin, Base):
    __tablename__ = "enterprise"
    __table_args__ = (
        trigram_index("enterprise", "name"),
        trigram_index("enterprise", "address"),
        trigram_index("enterprise", "uscc"),
        CheckConstraint(
            "category IN ('catering', 'hazardous_chemicals', 'construction', 'retail', "
            "'manufacturing', 'logistics', 'accommodation', 'entertainment', 'auto_repair', "
            "'healthcare')",
            name="ck_enterprise_category",
        ),
        CheckConstraint("risk_list IN ('red', 'white', 'black')", name="ck_enterprise_risk"),
        CheckConstraint("uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'", name="ck_enterprise_uscc"),
        CheckConstraint("draw_weight > 0", name="ck_enterprise_draw_weight"),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True, nullable=False)  # 统一社会信用代码
    category: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    risk_list: Mapped[str] = mapped_column(String(8), nullable=False, default=RiskList.WHITE)
    # The object's weight inside its list (DR-6: each pass lowers it, each failure raises
    # it) and its current run of passes / failures, which moves it between lists.
    draw_weight: Mapped[float] = mapped_column(Float, nullable=False, server_default="1")
    pass_streak: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    fail_streak: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    geom: Mapped[object] = geom_column("POINT")
