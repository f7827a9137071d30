-- +goose Up
-- Issue 16 §4: the reason codes a dispute may give are the company's list,
-- kept by its admins (an installation holds one company, as every other
-- table). Seeded with the six codes recoup shipped with, so nothing changes
-- for an existing installation. A retired reason stays valid on the
-- disputes that gave it, keeps its labels, and is no longer offered for new
-- ones. The list is offered in id order, "other" last.
CREATE TABLE dispute_reasons (
    id          INTEGER PRIMARY KEY,
    code        TEXT      NOT NULL UNIQUE,
    label_en    TEXT      NOT NULL,
    label_zh_cn TEXT      NOT NULL,
    retired_at  TIMESTAMP
);
INSERT INTO dispute_reasons (code, label_en, label_zh_cn) VALUES
    ('pricing', 'Pricing', '价格有误'),
    ('quantity', 'Quantity', '数量有误'),
    ('quality', 'Quality', '质量问题'),
    ('not_received', 'Goods or service not received', '未收到货物或服务'),
    ('duplicate', 'Duplicate invoice', '重复开票'),
    ('other', 'Other', '其他');

-- +goose Down
DROP TABLE dispute_reasons;
