#!/usr/bin/env python3
"""Writes the demo seller's catalog twice from one table: as a Shopify product CSV export
(assets/demo/catalog.csv) and as an evercast JSON catalog (assets/demo/catalog.json).

The seller, "Sunny Nest", is invented for evercast: a small factory brand from Yiwu that sells
home goods abroad in USD. Keeping both files generated from the same data means the two formats
can never disagree about a price or a stock count.

Run from anywhere with Python 3.8+ (standard library only):  python3 assets/tools/catalog.py
"""

import csv
import io
import json
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "demo"
VENDOR = "Sunny Nest"

# Shopify's current product template, in its order.
COLUMNS = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option1 Linked To",
    "Option2 Name", "Option2 Value", "Option2 Linked To",
    "Option3 Name", "Option3 Value", "Option3 Linked To",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price",
    "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable",
    "Unit Price Total Measure", "Unit Price Total Measure Unit", "Unit Price Base Measure",
    "Unit Price Base Measure Unit", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Gift Card", "SEO Title", "SEO Description", "Variant Image",
    "Variant Weight Unit", "Variant Tax Code", "Cost per item", "Status",
]

# Each product: Shopify fields, the JSON-only social proof (Shopify exports have no column for it), and
# variants as (option value or None, sku, grams, qty, price, compare-at or None, cost).
PRODUCTS = [
    {
        "handle": "bamboo-led-desk-lamp",
        "title": "Bamboo LED Desk Lamp",
        "category": "Home & Garden > Lighting > Lamps",
        "type": "Desk Lamp",
        "tags": ["bamboo", "desk", "home office", "lighting", "USB-C"],
        "body": (
            "<p>A slim desk lamp with a solid bamboo arm and a weighted base. The LED panel gives an "
            "even, flicker-free light, and a touch strip on the arm sets brightness and colour "
            "without a click.</p>\n"
            "<ul>\n"
            "<li>Solid bamboo arm and base, sealed with a water-based lacquer</li>\n"
            "<li>3 colour temperatures (3000K, 4000K, 5000K) with stepless dimming</li>\n"
            "<li>USB-C powered; 1.5 m cable and 5V/2A adapter included</li>\n"
            "<li>Reaches 42 cm tall and folds flat to 5 cm for storage</li>\n"
            "<li>Wipe with a dry, soft cloth; keep away from water</li>\n"
            "</ul>"
        ),
        "option": "Finish",
        "variants": [
            ("Natural Bamboo", "SN-LAMP-NAT", 980, 64, "32.90", "45.90", "11.40"),
            ("Carbonized Bamboo", "SN-LAMP-CRB", 980, 38, "34.90", "45.90", "12.10"),
        ],
        "images": [("images/bamboo-lamp.png", "Bamboo LED desk lamp with a warm glow, natural finish")],
        "seo": ("Bamboo LED Desk Lamp, Dimmable, USB-C | Sunny Nest",
                "Solid bamboo desk lamp with 3 colour temperatures, stepless dimming and USB-C power. Folds flat."),
        "proof": {"rating": 4.8, "reviews": 312, "sold": 2140},
    },
    {
        "handle": "ceramic-pour-over-coffee-set",
        "title": "Ceramic Pour-Over Coffee Set",
        "category": "Home & Garden > Kitchen & Dining > Tableware > Coffee & Tea Sets",
        "type": "Coffee Set",
        "tags": ["ceramic", "coffee", "gift", "kitchen", "stoneware"],
        "body": (
            "<p>Everything for a slow morning cup, glazed in a warm speckled oat colour. The dripper "
            "sits on the glass server or straight on a cup, so you can brew for one or for two.</p>\n"
            "<ul>\n"
            "<li>Ceramic cone dripper with spiral ribs for an even flow; fits #2 paper filters</li>\n"
            "<li>600 ml borosilicate glass server with a stoneware lid</li>\n"
            "<li>Two 200 ml stoneware cups, 3.2\" tall, comfortable in the hand</li>\n"
            "<li>40 paper filters included to get you started</li>\n"
            "<li>Dishwasher safe; dripper and cups are microwave safe</li>\n"
            "</ul>"
        ),
        "option": None,
        "variants": [
            (None, "SN-COF-SET", 1650, 14, "38.00", "52.00", "13.80"),
        ],
        "images": [
            ("images/pour-over-set.png", "Speckled ceramic dripper on a glass server with two cups"),
            ("images/pour-over-set-top.png", "The pour-over set from above: spiral ribs inside the dripper"),
        ],
        "seo": ("", ""),
        "proof": None,
    },
    {
        "handle": "stonewashed-linen-throw",
        "title": "Stonewashed Linen Throw Blanket",
        "category": "Home & Garden > Linens & Bedding > Bedding > Blankets",
        "type": "Throw Blanket",
        "tags": ["bedroom", "linen", "living room", "throw"],
        "body": (
            "<p>Pure linen woven in a soft herringbone and stonewashed, so it feels broken-in from "
            "the first day. Light enough for summer evenings, warm enough to layer in winter.</p>\n"
            "<ul>\n"
            "<li>100% linen, 220 g/m², stonewashed for softness</li>\n"
            "<li>Generous 51\" x 67\" (130 x 170 cm) with hand-knotted fringe</li>\n"
            "<li>Breathable and gets softer with every wash</li>\n"
            "<li>Machine wash cold on a gentle cycle; tumble dry low</li>\n"
            "</ul>"
        ),
        "option": "Color",
        "variants": [
            ("Oatmeal", "SN-THR-OAT", 760, 27, "44.90", "69.00", "15.20"),
            ("Sage", "SN-THR-SAG", 760, 35, "44.90", "69.00", "15.20"),
            ("Terracotta", "SN-THR-TER", 760, 22, "44.90", "69.00", "15.20"),
        ],
        "images": [("images/linen-throw.png", "Folded linen throw blankets in oatmeal, sage and terracotta")],
        "seo": ("Stonewashed Linen Throw Blanket 51 x 67 in | Sunny Nest",
                "Soft stonewashed linen throw in oatmeal, sage or terracotta. 130 x 170 cm with fringe."),
        "proof": {"rating": 4.7, "reviews": 186, "sold": 1320},
    },
    {
        "handle": "self-watering-planter",
        "title": "Self-Watering Planter",
        "category": "Home & Garden > Lawn & Garden > Gardening > Pots & Planters",
        "type": "Planter",
        "tags": ["gardening", "houseplants", "planter"],
        "body": (
            "<p>A two-part planter that waters from below: a cotton wick draws water up from the "
            "hidden reservoir as the soil needs it, so you can top up once every week or two.</p>\n"
            "<ul>\n"
            "<li>Inner pot and outer reservoir in matte recycled PP, cloud white</li>\n"
            "<li>Water level window shows when it is time to refill</li>\n"
            "<li>Three sizes: Small 5\" x 5\", Medium 7\" x 6.5\", Large 9\" x 8\"</li>\n"
            "<li>Lift out the inner pot to repot or rinse; no tools needed</li>\n"
            "</ul>"
        ),
        "option": "Size",
        "variants": [
            ("Small", "SN-PLT-S", 240, 48, "14.90", "19.90", "3.90"),
            ("Medium", "SN-PLT-M", 410, 56, "19.90", "26.90", "5.60"),
            ("Large", "SN-PLT-L", 690, 31, "26.90", "35.90", "7.80"),
        ],
        "images": [("images/self-watering-planter.png", "White self-watering planter with a leafy plant and a water level window")],
        "seo": ("", ""),
        "proof": None,
    },
    {
        "handle": "ultrasonic-aroma-diffuser",
        "title": "Ultrasonic Aroma Diffuser",
        "category": "Home & Garden > Decor > Home Fragrance Accessories",
        "type": "Aroma Diffuser",
        "tags": ["bedroom", "diffuser", "home fragrance"],
        "body": (
            "<p>A quiet ultrasonic diffuser with a light-wood-grain shell. Add water and a few drops "
            "of your own essential oil for a soft, scented mist in a bedroom or study.</p>\n"
            "<ul>\n"
            "<li>300 ml tank: up to 8 hours on the low mist setting</li>\n"
            "<li>Switches itself off when the water runs out</li>\n"
            "<li>7 soft light colours, or lights off for the night</li>\n"
            "<li>Clean weekly with a soft cloth and a little white vinegar</li>\n"
            "</ul>"
        ),
        "option": None,
        "variants": [
            (None, "SN-DIF-300", 520, 85, "29.90", None, "8.70"),
        ],
        "images": [("images/aroma-diffuser.png", "Wood-grain aroma diffuser with a soft plume of mist")],
        "seo": ("Ultrasonic Aroma Diffuser 300 ml | Sunny Nest",
                "Quiet 300 ml ultrasonic diffuser with auto shut-off and 7 soft light colours."),
        "proof": None,
    },
    {
        "handle": "insulated-steel-tumbler",
        "title": "Insulated Steel Tumbler 20 oz",
        "category": "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Tumblers",
        "type": "Tumbler",
        "tags": ["drinkware", "stainless steel", "travel"],
        "body": (
            "<p>A 20 oz double-wall tumbler for iced coffee on the commute or tea at your desk. The "
            "powder-coated finish is easy to grip and does not sweat.</p>\n"
            "<ul>\n"
            "<li>Double-wall vacuum insulated 18/8 stainless steel</li>\n"
            "<li>Keeps drinks cold for up to 24 hours and hot for up to 6</li>\n"
            "<li>Slide-close lid and a reusable steel straw</li>\n"
            "<li>Tapered base fits most car cup holders</li>\n"
            "<li>Hand wash to keep the coating looking new</li>\n"
            "</ul>"
        ),
        "option": "Color",
        "variants": [
            ("Sunrise Yellow", "SN-TUM-YEL", 360, 72, "19.90", "27.90", "5.10"),
            ("Sea Glass", "SN-TUM-SEA", 360, 58, "19.90", "27.90", "5.10"),
            ("Matte Black", "SN-TUM-BLK", 360, 90, "19.90", "27.90", "5.10"),
        ],
        "images": [("images/steel-tumbler.png", "Three insulated steel tumblers in yellow, sea glass and black")],
        "seo": ("", ""),
        "proof": {"rating": 4.6, "reviews": 529, "sold": 3870},
    },
]


def shopify_rows():
    for p in PRODUCTS:
        images = list(p["images"])
        for i, (value, sku, grams, qty, price, compare, cost) in enumerate(p["variants"]):
            row = dict.fromkeys(COLUMNS, "")
            row["Handle"] = p["handle"]
            if i == 0:
                row.update({
                    "Title": p["title"],
                    "Body (HTML)": p["body"],
                    "Vendor": VENDOR,
                    "Product Category": p["category"],
                    "Type": p["type"],
                    "Tags": ", ".join(p["tags"]),
                    "Published": "true",
                    "Option1 Name": p["option"] or "Title",
                    "Gift Card": "false",
                    "SEO Title": p["seo"][0],
                    "SEO Description": p["seo"][1],
                    "Status": "active",
                })
            row.update({
                "Option1 Value": value or "Default Title",
                "Variant SKU": sku,
                "Variant Grams": str(grams),
                "Variant Inventory Tracker": "shopify",
                "Variant Inventory Qty": str(qty),
                "Variant Inventory Policy": "deny",
                "Variant Fulfillment Service": "manual",
                "Variant Price": price,
                "Variant Compare At Price": compare or "",
                "Variant Requires Shipping": "true",
                "Variant Taxable": "true",
                "Variant Weight Unit": "kg",
                "Cost per item": cost,
            })
            # Shopify puts image N on the product's Nth row, whatever else that row carries.
            if images:
                src, alt = images.pop(0)
                row.update({"Image Src": src, "Image Position": str(len(p["images"]) - len(images)), "Image Alt Text": alt})
            yield row
        # Images left over get rows of their own that carry only the image.
        while images:
            src, alt = images.pop(0)
            row = dict.fromkeys(COLUMNS, "")
            row.update({"Handle": p["handle"], "Image Src": src,
                        "Image Position": str(len(p["images"]) - len(images)), "Image Alt Text": alt})
            yield row


def write_csv():
    out = io.StringIO()
    # Minimal quoting as Shopify does; "\n" line ends as in Shopify's own exports.
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for row in shopify_rows():
        w.writerow(row)
    (DEMO / "catalog.csv").write_text(out.getvalue(), encoding="utf-8")


def write_json():
    products = []
    for p in PRODUCTS:
        # The same HTML body as the CSV, so both catalogs read to the same text and selling
        # points (the JSON format takes HTML or plain text); images as a list, because a lone
        # `image` on a product without variants would also become its variant's image.
        item = {"id": p["handle"], "title": p["title"], "vendor": VENDOR, "type": p["type"], "tags": p["tags"],
                "description": p["body"], "images": [src for src, _ in p["images"]]}
        if p["proof"]:
            item.update(p["proof"])
        vs = p["variants"]
        if p["option"] is None:
            _, sku, _, qty, price, compare, _ = vs[0]
            item.update({"sku": sku, "price": price, "inventory": qty})
            if compare:
                item["compare_at_price"] = compare
        else:
            item["variants"] = []
            for value, sku, _, qty, price, compare, _ in vs:
                v = {"title": value, "options": {p["option"]: value}, "sku": sku, "price": price}
                if compare:
                    v["compare_at_price"] = compare
                v["inventory"] = qty
                item["variants"].append(v)
        products.append(item)
    text = json.dumps({"currency": "USD", "products": products}, indent=2, ensure_ascii=False)
    (DEMO / "catalog.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_csv()
    write_json()
