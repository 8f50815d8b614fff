//! The seeded organization behind the directory calls (spec 4.4): a
//! department tree and a few thousand users with Chinese and English names,
//! generated from a seed so every run sees the same people.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const USER_COUNT: usize = 3000;
pub const ROOT_DEPT: i64 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub parent: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub userid: String,
    pub unionid: String,
    pub name_zh: String,
    pub name_en: String,
    pub title: String,
    pub dept_ids: Vec<i64>,
    pub active: bool,
    pub admin: bool,
}

impl User {
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_zh
        }
    }

    pub fn avatar(&self) -> String {
        format!(
            "https://static-legacy.dingtalk.com/media/sandbox/{}.png",
            self.userid
        )
    }
}

impl Department {
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

/// (id, Chinese name, English name, parent).
const DEPARTMENTS: [(i64, &str, &str, Option<i64>); 15] = [
    (1, "沙箱科技", "Sandbox Tech", None),
    (2, "研发部", "Engineering", Some(1)),
    (3, "产品部", "Product", Some(1)),
    (4, "市场部", "Marketing", Some(1)),
    (5, "销售部", "Sales", Some(1)),
    (6, "客户服务部", "Customer Support", Some(1)),
    (7, "财务部", "Finance", Some(1)),
    (8, "人力资源部", "Human Resources", Some(1)),
    (9, "法务部", "Legal", Some(1)),
    (10, "前端组", "Frontend", Some(2)),
    (11, "后端组", "Backend", Some(2)),
    (12, "测试组", "QA", Some(2)),
    (13, "运维组", "Operations", Some(2)),
    (14, "华东大区", "East China", Some(5)),
    (15, "华北大区", "North China", Some(5)),
];

/// Surnames with their pinyin, so the English name matches the Chinese one.
const SURNAMES: [(&str, &str); 20] = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("高", "Gao"),
];

const GIVEN: [(&str, &str); 24] = [
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("磊", "Lei"),
    ("洋", "Yang"),
    ("艳", "Yan"),
    ("勇", "Yong"),
    ("军", "Jun"),
    ("杰", "Jie"),
    ("娟", "Juan"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("婷", "Ting"),
    ("晨", "Chen"),
    ("浩", "Hao"),
    ("宇", "Yu"),
    ("欣", "Xin"),
    ("佳", "Jia"),
];

const TITLES: [&str; 8] = [
    "工程师",
    "高级工程师",
    "产品经理",
    "设计师",
    "销售代表",
    "客服专员",
    "会计",
    "经理",
];

#[derive(Clone, Debug)]
pub struct Directory {
    pub departments: BTreeMap<i64, Department>,
    pub users: BTreeMap<String, User>,
}

pub fn userid(n: usize) -> String {
    format!("user{n:04}")
}

impl Directory {
    pub fn generate(seed: u64) -> Directory {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let departments = DEPARTMENTS
            .iter()
            .map(|&(id, zh, en, parent)| {
                (
                    id,
                    Department {
                        id,
                        name_zh: zh.to_owned(),
                        name_en: en.to_owned(),
                        parent,
                    },
                )
            })
            .collect();
        let users = (1..=USER_COUNT)
            .map(|n| {
                let (sz, se) = SURNAMES[rng.random_range(0..SURNAMES.len())];
                let (g1z, g1e) = GIVEN[rng.random_range(0..GIVEN.len())];
                let two = rng.random_bool(0.6);
                let (g2z, g2e) = GIVEN[rng.random_range(0..GIVEN.len())];
                let (given_zh, given_en) = if two {
                    (
                        format!("{g1z}{g2z}"),
                        format!("{g1e}{}", g2e.to_lowercase()),
                    )
                } else {
                    (g1z.to_owned(), g1e.to_owned())
                };
                // The first user runs the company from the root department.
                let dept = if n == 1 {
                    ROOT_DEPT
                } else {
                    rng.random_range(2..=DEPARTMENTS.len() as i64)
                };
                let mut dept_ids = vec![dept];
                if rng.random_bool(0.05) {
                    let second = rng.random_range(2..=DEPARTMENTS.len() as i64);
                    if second != dept {
                        dept_ids.push(second);
                    }
                }
                let user = User {
                    userid: userid(n),
                    unionid: format!("union{:016x}", rng.random::<u64>()),
                    name_zh: format!("{sz}{given_zh}"),
                    name_en: format!("{given_en} {se}"),
                    title: TITLES[rng.random_range(0..TITLES.len())].to_owned(),
                    dept_ids,
                    active: rng.random_bool(0.97),
                    admin: n <= 3,
                };
                (user.userid.clone(), user)
            })
            .collect();
        Directory { departments, users }
    }

    pub fn user(&self, userid: &str) -> Option<&User> {
        self.users.get(userid)
    }

    /// Users directly in `dept` (not in its sub-departments), by userid.
    pub fn members_of(&self, dept: i64) -> impl Iterator<Item = &User> {
        self.users
            .values()
            .filter(move |u| u.dept_ids.contains(&dept))
    }

    /// Users whose Chinese name, English name or pinyin (surname first, no
    /// spaces) holds `word`, any case; with `exact`, whose Chinese or
    /// English name is `word`. By userid.
    pub fn search(&self, word: &str, exact: bool) -> Vec<&User> {
        let word = word.trim().to_lowercase();
        self.users
            .values()
            .filter(|u| {
                let en = u.name_en.to_lowercase();
                if exact {
                    return u.name_zh == word || en == word;
                }
                let pinyin: String = en.rsplit(' ').collect();
                u.name_zh.contains(&word) || en.contains(&word) || pinyin.contains(&word)
            })
            .collect()
    }

    pub fn children(&self, dept: i64) -> impl Iterator<Item = &Department> {
        self.departments
            .values()
            .filter(move |d| d.parent == Some(dept))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_complete() {
        let a = Directory::generate(5);
        let b = Directory::generate(5);
        assert_eq!(a.users, b.users);
        assert_eq!(a.users.len(), USER_COUNT);
        let total: usize = a.departments.keys().map(|d| a.members_of(*d).count()).sum();
        assert!(total >= USER_COUNT);
        assert!(
            a.users
                .values()
                .all(|u| !u.name_zh.is_empty() && u.name_en.contains(' '))
        );
        assert_eq!(a.children(2).count(), 4);
        assert_ne!(a.users, Directory::generate(6).users);
        let someone = &a.users["user0042"];
        let surname: String = someone.name_zh.chars().take(1).collect();
        assert!(a.search(&surname, false).len() > 10);
        assert!(
            a.search(&someone.name_zh, true)
                .iter()
                .all(|u| u.name_zh == someone.name_zh)
        );
        let (given, family) = someone.name_en.split_once(' ').unwrap();
        let pinyin = format!("{family}{given}").to_lowercase();
        assert!(
            a.search(&pinyin, false)
                .iter()
                .any(|u| u.userid == "user0042")
        );
        assert!(a.search("no such person", false).is_empty());
    }
}
