//! The seeded organization behind the directory calls (spec 4.4).

use crate::support::*;
use serde_json::{Value, json};

#[tokio::test]
async fn user_get_in_both_languages() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let zh = ding
        .oapi_ok("/topapi/v2/user/get", &t, json!({"userid": "user0001"}))
        .await["result"]
        .clone();
    let en = ding
        .oapi_ok(
            "/topapi/v2/user/get",
            &t,
            json!({"userid": "user0001", "language": "en_US"}),
        )
        .await["result"]
        .clone();
    assert_eq!(zh["userid"], "user0001");
    assert_eq!(zh["dept_id_list"], json!([1]));
    assert_eq!(zh["admin"], true);
    assert!(
        zh["name"].as_str().unwrap().chars().all(|c| !c.is_ascii()),
        "{zh}"
    );
    assert!(en["name"].as_str().unwrap().is_ascii(), "{en}");
    for field in ["unionid", "avatar", "title"] {
        assert!(zh[field].is_string(), "{field}");
    }
    assert!(zh["active"].is_boolean());
    let reply = ding
        .oapi("/topapi/v2/user/get", &t, json!({"userid": "user9999"}))
        .await;
    assert_eq!(reply.errcode(), 60121);
    assert_eq!(
        ding.oapi("/topapi/v2/user/get", &t, json!({}))
            .await
            .errcode(),
        40036
    );
    let bad = json!({"userid": "user0001", "language": "fr_FR"});
    assert_eq!(
        ding.oapi("/topapi/v2/user/get", &t, bad).await.errcode(),
        400002
    );
}

#[tokio::test]
async fn listsimple_pages_with_a_cursor_of_at_most_100() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let mut cursor = 0;
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        let page = ding
            .oapi_ok(
                "/topapi/user/listsimple",
                &t,
                json!({"dept_id": 11, "cursor": cursor, "size": 100}),
            )
            .await["result"]
            .clone();
        pages += 1;
        let list = page["list"].as_array().unwrap();
        assert!(list.len() <= 100);
        seen.extend(
            list.iter()
                .map(|u| u["userid"].as_str().unwrap().to_owned()),
        );
        assert!(list.iter().all(|u| u["name"].is_string()));
        if page["has_more"] == false {
            assert!(page.get("next_cursor").is_none());
            break;
        }
        cursor = page["next_cursor"].as_i64().unwrap();
    }
    assert!(pages >= 2, "department 11 holds more than 100 users");
    let count = seen.len();
    seen.dedup();
    assert_eq!(seen.len(), count);
    // Every listed user is in the department.
    let some = ding
        .oapi_ok("/topapi/v2/user/get", &t, json!({"userid": seen[0]}))
        .await;
    assert!(
        some["result"]["dept_id_list"]
            .as_array()
            .unwrap()
            .contains(&Value::from(11))
    );

    for (body, code) in [
        (json!({"dept_id": 11, "size": 101}), 400002),
        (json!({"dept_id": 11, "size": 0}), 400002),
        (json!({"dept_id": 11, "cursor": -1}), 400002),
        (json!({"dept_id": 999, "size": 10}), 60003),
    ] {
        assert_eq!(
            ding.oapi("/topapi/user/listsimple", &t, body.clone())
                .await
                .errcode(),
            code,
            "{body}"
        );
    }
}

#[tokio::test]
async fn listsub_walks_the_department_tree() {
    let sandbox = start().await;
    let ding = Ding::new(&sandbox);
    let t = ding.token().await;
    let root = ding
        .oapi_ok("/topapi/v2/department/listsub", &t, json!({"dept_id": 1}))
        .await["result"]
        .clone();
    let root = root.as_array().unwrap();
    assert_eq!(root.len(), 8);
    assert!(root.iter().all(|d| d["parent_id"] == 1));
    let en = ding
        .oapi_ok(
            "/topapi/v2/department/listsub",
            &t,
            json!({"dept_id": 2, "language": "en_US"}),
        )
        .await["result"]
        .clone();
    let names: Vec<&str> = en
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Frontend", "Backend", "QA", "Operations"]);
    let leaf = ding
        .oapi_ok("/topapi/v2/department/listsub", &t, json!({"dept_id": 10}))
        .await;
    assert!(leaf["result"].as_array().unwrap().is_empty());
    let reply = ding
        .oapi("/topapi/v2/department/listsub", &t, json!({"dept_id": 404}))
        .await;
    assert_eq!(reply.errcode(), 60003);
}
